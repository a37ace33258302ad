//! Parameter specifications: the single list from which defaults, validation, `--set`,
//! `cocoon params` and the manifest are all derived, so they can never disagree.
//!
//! Each module that owns parameters (the run itself, the graph, each model) contributes a
//! `&'static [ParamSpec]`; [`all_specs`] joins them.

use serde::Serialize;

/// The type and allowed range of a parameter.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// A real number in `[min, max]` (never NaN).
    Float {
        /// Smallest allowed value.
        min: f64,
        /// Largest allowed value.
        max: f64,
    },
    /// An integer in `[min, max]`.
    Int {
        /// Smallest allowed value.
        min: i64,
        /// Largest allowed value.
        max: i64,
    },
    /// `true` or `false`.
    Bool,
    /// One of a fixed set of words.
    Choice(&'static [&'static str]),
    /// Free text.
    Text,
    /// A file path, relative to the folder of the scenario file that sets it.
    Path,
    /// A non-empty list of integers, each in `[min, max]`.
    IntList {
        /// Smallest allowed element.
        min: i64,
        /// Largest allowed element.
        max: i64,
    },
    /// A non-empty list of reals, each in `[min, max]`.
    FloatList {
        /// Smallest allowed element.
        min: f64,
        /// Largest allowed element.
        max: f64,
    },
}

impl Kind {
    /// Human-readable statement of what is allowed, used in error messages and `cocoon params`.
    pub fn allowed(&self) -> String {
        match self {
            Kind::Float { min, max } => {
                format!("a number from {} to {}", fmt_num(*min), fmt_num(*max))
            }
            Kind::Int { min, max } => format!("an integer from {} to {}", min, fmt_int(*max)),
            Kind::Bool => "true or false".to_string(),
            Kind::Choice(c) => format!(
                "one of {}",
                c.iter()
                    .map(|s| format!("\"{s}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Kind::Text => "text".to_string(),
            Kind::Path => "a file path (relative to the scenario's folder)".to_string(),
            Kind::IntList { min, max } => {
                format!("a list of integers from {} to {}", min, fmt_int(*max))
            }
            Kind::FloatList { min, max } => {
                format!(
                    "a list of numbers from {} to {}",
                    fmt_num(*min),
                    fmt_num(*max)
                )
            }
        }
    }
}

fn fmt_num(x: f64) -> String {
    if x == f64::INFINITY {
        "infinity".into()
    } else if x == f64::NEG_INFINITY {
        "-infinity".into()
    } else {
        format!("{x}")
    }
}

fn fmt_int(x: i64) -> String {
    if x == i64::MAX {
        "9223372036854775807 (2^63 - 1)".into()
    } else {
        x.to_string()
    }
}

/// A default value that can live in a `static`.
#[derive(Clone, Copy, Debug)]
pub enum Default {
    /// No default: the key is optional and absent unless set (or required by a rule).
    None,
    /// A real default.
    F(f64),
    /// An integer default.
    I(i64),
    /// A boolean default.
    B(bool),
    /// A text or choice default.
    S(&'static str),
    /// An integer-list default.
    IL(&'static [i64]),
    /// A real-list default.
    FL(&'static [f64]),
}

/// When a key is meaningful. Setting a key that does not apply is an error, so a typo in a
/// graph kind cannot silently ignore its parameters.
#[derive(Clone, Copy, Debug)]
pub enum Applies {
    /// Always.
    Always,
    /// Only when the choice `key` has one of `values`.
    When {
        /// The controlling key, e.g. `graph.kind`.
        key: &'static str,
        /// The values under which this key applies.
        values: &'static [&'static str],
    },
}

/// One parameter: its key, type, default and documentation.
#[derive(Clone, Copy, Debug)]
pub struct ParamSpec {
    /// Dotted key, e.g. `sisa.beta`.
    pub key: &'static str,
    /// Type and range.
    pub kind: Kind,
    /// Default value.
    pub default: Default,
    /// Unit, e.g. `probability per tick`, `agents`, `weeks`.
    pub unit: &'static str,
    /// What it means, one sentence.
    pub meaning: &'static str,
    /// Where the default comes from, or `assumption`.
    pub source: &'static str,
    /// When it applies.
    pub applies: Applies,
}

/// A parameter value after type checking.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Value {
    /// Boolean.
    Bool(bool),
    /// Integer.
    Int(i64),
    /// Real.
    Float(f64),
    /// Text, choice or path.
    Str(String),
    /// List of integers.
    IntList(Vec<i64>),
    /// List of reals.
    FloatList(Vec<f64>),
}

impl Value {
    /// The value as TOML-like text, for messages and `cocoon params`.
    pub fn display(&self) -> String {
        match self {
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => format!("{f}"),
            Value::Str(s) => format!("\"{s}\""),
            Value::IntList(v) => format!(
                "[{}]",
                v.iter()
                    .map(|x| x.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Value::FloatList(v) => format!(
                "[{}]",
                v.iter()
                    .map(|x| format!("{x}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

impl Default {
    /// The default as a [`Value`], if there is one.
    pub fn value(&self) -> Option<Value> {
        match *self {
            Default::None => None,
            Default::F(x) => Some(Value::Float(x)),
            Default::I(x) => Some(Value::Int(x)),
            Default::B(x) => Some(Value::Bool(x)),
            Default::S(x) => Some(Value::Str(x.to_string())),
            Default::IL(x) => Some(Value::IntList(x.to_vec())),
            Default::FL(x) => Some(Value::FloatList(x.to_vec())),
        }
    }
}

/// Every parameter the program knows, in display order.
pub fn all_specs() -> Vec<&'static ParamSpec> {
    let mut out: Vec<&'static ParamSpec> = Vec::new();
    out.extend(super::RUN_SPECS.iter());
    out.extend(crate::graph::build::SPECS.iter());
    out.extend(crate::models::sisa::SPECS.iter());
    out.extend(crate::models::withdrawal::all_specs());
    out.extend(crate::policy::SPECS.iter());
    out
}

/// Looks a key up.
pub fn find(key: &str) -> Option<&'static ParamSpec> {
    all_specs().into_iter().find(|s| s.key == key)
}

/// Levenshtein distance, for "did you mean" suggestions.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The known key closest to `key`: first among keys in the same table, then among all.
pub fn closest_key(key: &str) -> Option<&'static str> {
    let table = key.rsplit_once('.').map(|(t, _)| t);
    let specs = all_specs();
    let score = |s: &&ParamSpec| {
        let same_table = s.key.rsplit_once('.').map(|(t, _)| t) == table;
        let leaf_a = key.rsplit('.').next().unwrap_or(key);
        let leaf_b = s.key.rsplit('.').next().unwrap_or(s.key);
        let d = edit_distance(key, s.key)
            .min(edit_distance(leaf_a, leaf_b) + usize::from(!same_table) * 2);
        (d, !same_table)
    };
    specs.iter().min_by_key(|s| score(s)).map(|s| s.key)
}

impl ParamSpec {
    /// A real parameter in `[min, max]` (compact constructor for model parameter tables).
    #[allow(clippy::too_many_arguments)]
    pub const fn real(
        key: &'static str,
        default: f64,
        min: f64,
        max: f64,
        unit: &'static str,
        meaning: &'static str,
        source: &'static str,
        applies: Applies,
    ) -> ParamSpec {
        ParamSpec {
            key,
            kind: Kind::Float { min, max },
            default: Default::F(default),
            unit,
            meaning,
            source,
            applies,
        }
    }

    /// An integer parameter in `[min, max]`.
    #[allow(clippy::too_many_arguments)]
    pub const fn int(
        key: &'static str,
        default: i64,
        min: i64,
        max: i64,
        unit: &'static str,
        meaning: &'static str,
        source: &'static str,
        applies: Applies,
    ) -> ParamSpec {
        ParamSpec {
            key,
            kind: Kind::Int { min, max },
            default: Default::I(default),
            unit,
            meaning,
            source,
            applies,
        }
    }

    /// A switch.
    pub const fn switch(
        key: &'static str,
        default: bool,
        meaning: &'static str,
        source: &'static str,
        applies: Applies,
    ) -> ParamSpec {
        ParamSpec {
            key,
            kind: Kind::Bool,
            default: Default::B(default),
            unit: "on/off",
            meaning,
            source,
            applies,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_defaults_are_valid() {
        let specs = all_specs();
        let mut keys: Vec<&str> = specs.iter().map(|s| s.key).collect();
        keys.sort_unstable();
        let before = keys.len();
        keys.dedup();
        assert_eq!(before, keys.len(), "duplicate parameter keys");
        for s in specs {
            assert!(
                !s.meaning.is_empty() && !s.unit.is_empty() && !s.source.is_empty(),
                "{}",
                s.key
            );
            if let Some(v) = s.default.value() {
                assert!(
                    crate::scenario::check_value(s, &v).is_ok(),
                    "default of {} is outside its own range",
                    s.key
                );
            }
        }
    }

    #[test]
    fn suggestions_find_typos() {
        assert_eq!(closest_key("sisa.bta"), Some("sisa.beta"));
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
