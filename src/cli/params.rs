//! `cocoon params`: the parameter list, generated from the same specs that validate scenarios.

use cocoon::scenario::spec::{all_specs, Applies};

pub fn list(prefix: Option<&str>, markdown: bool) -> anyhow::Result<()> {
    let specs: Vec<_> = all_specs()
        .into_iter()
        .filter(|s| prefix.is_none_or(|p| s.key.starts_with(p)))
        .collect();
    if specs.is_empty() {
        return Err(cocoon::error::Error::Usage(format!(
            "no parameter key starts with `{}` (`cocoon params` lists every key)",
            prefix.unwrap_or_default()
        ))
        .into());
    }
    let mut out = String::new();
    if markdown {
        out.push_str(
            "| key | default | allowed | unit | meaning | source |\n|---|---|---|---|---|---|\n",
        );
    }
    for s in specs {
        let default = s
            .default
            .value()
            .map(|v| v.display())
            .unwrap_or_else(|| "(none)".into());
        let when = match s.applies {
            Applies::Always => String::new(),
            Applies::When { key, values } => {
                format!(" Applies when {key} = {}.", values.join(" or "))
            }
        };
        if markdown {
            out.push_str(&format!(
                "| `{}` | {} | {} | {} | {}{} | {} |\n",
                s.key,
                default,
                s.kind.allowed(),
                s.unit,
                s.meaning,
                when,
                s.source
            ));
        } else {
            out.push_str(&format!(
                "{}\n  default: {}\n  allowed: {}\n  unit:    {}\n  meaning: {}{}\n  source:  {}\n\n",
                s.key,
                default,
                s.kind.allowed(),
                s.unit,
                s.meaning,
                when,
                s.source
            ));
        }
    }
    super::super::print_stdout(&out)
}
