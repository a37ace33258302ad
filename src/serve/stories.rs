//! The stories the page offers: scenario files under `scenarios/stories/` (each runs as is
//! with `cocoon run`) and a few plain-language paragraphs to read out, compiled into the binary
//! so the page works from any folder and with no network.

use serde::Serialize;

use crate::error::{Error, Location, Result};
use crate::scenario::Scenario;

/// A story: its scenario (the world with the policy) and its text.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Story {
    /// Name in requests (the scenario file's stem).
    pub id: &'static str,
    /// Title on the page.
    pub title: &'static str,
    /// Plain-language text (Markdown paragraphs, the first line a `#` title).
    pub text: &'static str,
    /// The scenario file's text.
    #[serde(skip)]
    pub toml: &'static str,
}

macro_rules! story {
    ($id:literal, $title:literal) => {
        Story {
            id: $id,
            title: $title,
            text: include_str!(concat!("../../scenarios/stories/", $id, ".md")),
            toml: include_str!(concat!("../../scenarios/stories/", $id, ".toml")),
        }
    };
}

/// Every story, in the picker's order.
pub const STORIES: &[Story] = &[
    story!("school_year", "A school year with bullying"),
    story!("pandemic", "A pandemic and its aftermath"),
    story!("smartphone_rollout", "A smartphone rollout"),
    story!("community_centre", "A community centre opens"),
];

/// The story named `id`.
pub fn find(id: &str) -> Option<&'static Story> {
    STORIES.iter().find(|s| s.id == id)
}

impl Story {
    /// The story's scenario with `sets` applied last (validated like `--set`).
    pub fn scenario(&self, sets: &[String]) -> Result<Scenario> {
        let at = |_: Option<std::ops::Range<usize>>| Location::Set(format!("story {}", self.id));
        let doc = toml_edit::ImDocument::parse(self.toml).map_err(|e| Error::Scenario {
            location: at(None),
            message: format!("invalid TOML: {}", e.message()),
        })?;
        let mut leaves = Vec::new();
        crate::scenario::flatten(
            doc.as_table(),
            "",
            &at,
            &[],
            &|location, key| Error::Scenario {
                location,
                message: format!("`{key}`: arrays of tables are not scenario keys"),
            },
            &mut leaves,
        )?;
        let mut all: Vec<String> = leaves
            .into_iter()
            .map(|(key, _, mut value)| {
                value.decor_mut().clear();
                format!("{key}={value}")
            })
            .collect();
        all.extend_from_slice(sets);
        Scenario::from_sets(self.id, &all)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_story_loads_like_its_file() {
        for s in STORIES {
            let embedded = s.scenario(&[]).unwrap();
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("scenarios/stories")
                .join(format!("{}.toml", s.id));
            let file = Scenario::load(&path, &[]).unwrap();
            assert_eq!(embedded.params.to_json(), file.params.to_json(), "{}", s.id);
            let n = embedded.params.usize("population.n");
            assert!((1000..=5000).contains(&n), "{}: {n} agents", s.id);
            assert!(s.text.starts_with("# "), "{}", s.id);
        }
        assert!(find("pandemic").is_some() && find("nope").is_none());
    }
}
