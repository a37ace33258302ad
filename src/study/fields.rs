//! Reading the tables of a study or comparison file with their positions: one read-parse
//! helper for both kinds of file, the file:line:column of any span, and typed access to a
//! table's values whose every error names the place and what is allowed.

use std::path::Path;

use toml_edit::{ImDocument, Item, TableLike};

use crate::error::{Error, Location, Result};
use crate::scenario::{self, spec};

/// Which kind of file is read (it decides the error variant, so messages stay those of the
/// file's own loader).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// A study file.
    Study,
    /// A comparison file.
    Compare,
}

impl FileKind {
    /// A located error of this kind of file.
    pub fn error(self, location: Location, message: String) -> Error {
        match self {
            FileKind::Study => Error::Scenario { location, message },
            FileKind::Compare => Error::Compare { location, message },
        }
    }
}

/// Reads `path` (a regular file of bounded size; a FIFO never blocks) and parses it as TOML
/// with spans: the read-parse preamble shared by study and comparison files.
pub fn parse(path: &Path, kind: FileKind) -> Result<ImDocument<String>> {
    let text =
        crate::input::read_text(path, crate::input::MAX_SCENARIO_BYTES).map_err(|source| {
            let path = path.to_path_buf();
            match kind {
                FileKind::Study => Error::ReadScenario { path, source },
                FileKind::Compare => Error::ReadCompare { path, source },
            }
        })?;
    ImDocument::parse(text.clone()).map_err(|e| {
        let sp = Spans {
            path,
            text: &text,
            kind,
        };
        sp.err(
            e.span(),
            format!("invalid TOML: {}", e.message().trim_end()),
        )
    })
}

/// Position helper for one file's text.
pub struct Spans<'a> {
    /// The file.
    pub path: &'a Path,
    /// Its text.
    pub text: &'a str,
    /// What kind of file it is.
    pub kind: FileKind,
}

impl Spans<'_> {
    /// The location of a span (line 1, column 1 without one).
    pub fn at(&self, span: Option<std::ops::Range<usize>>) -> Location {
        let (line, column) = span
            .map(|s| scenario::line_col(self.text, s.start))
            .unwrap_or((1, 1));
        Location::File {
            path: self.path.to_path_buf(),
            line,
            column,
        }
    }

    /// A located error at a span.
    pub fn err(&self, span: Option<std::ops::Range<usize>>, message: String) -> Error {
        self.kind.error(self.at(span), message)
    }
}

/// "unknown key", with the closest allowed key and the whole list.
pub fn unknown(key: &str, allowed: &[&str]) -> String {
    let hint = allowed
        .iter()
        .min_by_key(|a| spec::edit_distance(key, a))
        .filter(|a| spec::edit_distance(key, a) <= 3)
        .map(|a| format!("did you mean `{a}`? "))
        .unwrap_or_default();
    format!(
        "unknown key `{key}`; {hint}allowed: {}",
        allowed
            .iter()
            .map(|a| format!("`{a}`"))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// Typed access to one table's values, with located errors.
pub struct Fields<'a, 'b> {
    /// The file.
    pub sp: &'a Spans<'b>,
    /// The table.
    pub table: &'a dyn TableLike,
    /// Where the table is written.
    pub span: Option<std::ops::Range<usize>>,
}

impl Fields<'_, '_> {
    /// Every key of the table is in `allowed`.
    pub fn check_keys(&self, allowed: &[&str]) -> Result<()> {
        for (k, _) in self.table.iter() {
            if !allowed.contains(&k) {
                let span = self.table.key(k).and_then(|kk| kk.span());
                return Err(self.sp.err(span, unknown(k, allowed)));
            }
        }
        Ok(())
    }

    /// A value with its location.
    pub fn value(&self, key: &str) -> Option<(&toml_edit::Value, Location)> {
        let item = self.table.get(key)?;
        let v = item.as_value()?;
        let span = v
            .span()
            .or_else(|| self.table.key(key).and_then(|k| k.span()));
        Some((v, self.sp.at(span)))
    }

    /// Where the table is.
    pub fn here(&self) -> Location {
        self.sp.at(self.span.clone())
    }

    /// "`key` must be WANT", at the key's value.
    pub fn bad(&self, key: &str, want: &str) -> Error {
        let loc = self
            .value(key)
            .map(|(_, l)| l)
            .unwrap_or_else(|| self.here());
        self.sp.kind.error(loc, format!("`{key}` must be {want}"))
    }

    /// A text value.
    pub fn text(&self, key: &str) -> Result<Option<(String, Location)>> {
        match self.value(key) {
            None if self.table.contains_key(key) => Err(self.bad(key, "text in quotes")),
            None => Ok(None),
            Some((v, l)) => match v.as_str() {
                Some(s) => Ok(Some((s.to_string(), l))),
                None => Err(self.bad(key, "text in quotes")),
            },
        }
    }

    /// A finite number.
    pub fn number(&self, key: &str) -> Result<Option<(f64, Location)>> {
        match self.value(key) {
            None if self.table.contains_key(key) => Err(self.bad(key, "a number")),
            None => Ok(None),
            Some((v, l)) => match number(v) {
                Some(x) if x.is_finite() => Ok(Some((x, l))),
                _ => Err(self.bad(key, "a finite number")),
            },
        }
    }

    /// An integer within bounds.
    pub fn int(&self, key: &str, min: i64, max: i64) -> Result<Option<(i64, Location)>> {
        let want = format!("an integer from {min} to {max}");
        match self.value(key) {
            None if self.table.contains_key(key) => Err(self.bad(key, &want)),
            None => Ok(None),
            Some((v, l)) => match v.as_integer() {
                Some(i) if (min..=max).contains(&i) => Ok(Some((i, l))),
                _ => Err(self.bad(key, &want)),
            },
        }
    }

    /// A list of `len` finite numbers.
    pub fn numbers(
        &self,
        key: &str,
        len: usize,
        what: &str,
    ) -> Result<Option<(Vec<f64>, Location)>> {
        let want = format!("a list of {len} numbers {what}");
        match self.value(key) {
            None if self.table.contains_key(key) => Err(self.bad(key, &want)),
            None => Ok(None),
            Some((toml_edit::Value::Array(a), l)) => {
                let xs: Vec<f64> = a.iter().filter_map(number).collect();
                if xs.len() != len || a.len() != len || xs.iter().any(|x| !x.is_finite()) {
                    return Err(self.bad(key, &want));
                }
                Ok(Some((xs, l)))
            }
            Some(_) => Err(self.bad(key, &want)),
        }
    }
}

/// A TOML integer or float as a number.
pub fn number(v: &toml_edit::Value) -> Option<f64> {
    v.as_float().or_else(|| v.as_integer().map(|i| i as f64))
}

/// A table and where it is written.
pub type SpannedTable<'a> = (&'a dyn TableLike, Option<std::ops::Range<usize>>);

/// The tables of an array of tables (`[[x]]` or `x = [{...}]`), with their spans.
pub fn tables<'a>(sp: &Spans<'_>, key: &str, item: &'a Item) -> Result<Vec<SpannedTable<'a>>> {
    match item {
        Item::ArrayOfTables(a) => Ok(a.iter().map(|t| (t as &dyn TableLike, t.span())).collect()),
        Item::Value(toml_edit::Value::Array(a)) => a
            .iter()
            .map(|v| match v {
                toml_edit::Value::InlineTable(t) => Ok((t as &dyn TableLike, v.span())),
                _ => Err(sp.err(
                    v.span(),
                    format!("each `{key}` must be a table (`[[{key}]]`)"),
                )),
            })
            .collect(),
        _ => Err(sp.err(item.span(), format!("write `{key}` as `[[{key}]]` tables"))),
    }
}
