//! The plain-CSV tokenizer shared by the edge file and the node table.
//!
//! Why a file of its own: both tables follow the same rules (see the parent module's docs):
//! a UTF-8 byte-order mark and `\r` line ends are ignored, blank and `#` lines are skipped,
//! header names match case-insensitively, fields are split on commas and trimmed, and every
//! row must have as many fields as the header. Keeping those rules in one place means the two
//! readers cannot drift apart, and their error messages stay located (file:line).

use super::CsvError;
use std::path::Path;

/// What an id field should be.
pub(super) const NOT_ID: &str = "a non-negative integer";
/// What an id field should be when it parsed but does not fit the graph's `u32` ids.
pub(super) const TOO_BIG: &str = "a non-negative integer below 2^32";

/// The whole file as text (size-capped like every table input), naming the file on failure.
pub(super) fn read_text(path: &Path) -> Result<String, CsvError> {
    crate::input::read_text(path, crate::input::MAX_TABLE_BYTES).map_err(|source| CsvError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Non-blank, non-comment lines with their 1-based numbers, `\r` and BOM removed.
pub(super) fn data_lines(text: &str) -> impl Iterator<Item = (u64, &str)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.split('\n').enumerate().filter_map(|(i, l)| {
        let l = l.strip_suffix('\r').unwrap_or(l);
        let t = l.trim();
        (!t.is_empty() && !t.starts_with('#')).then_some((i as u64 + 1, l))
    })
}

/// Where each known column sits in a row.
pub(super) struct Columns {
    /// Field position per entry of the known-column list, `None` if absent.
    pub(super) index: Vec<Option<usize>>,
    /// Number of fields per row.
    pub(super) count: usize,
}

/// Maps header names onto `known`; the first `required` entries of `known` must be present.
pub(super) fn parse_header(
    path: &Path,
    line: u64,
    header: &str,
    known: &'static [&'static str],
    required: usize,
) -> Result<Columns, CsvError> {
    let mut index = vec![None; known.len()];
    let mut unknown = Vec::new();
    let mut count = 0;
    for (pos, name) in header.split(',').enumerate() {
        count += 1;
        let name = name.trim();
        match known.iter().position(|k| k.eq_ignore_ascii_case(name)) {
            Some(k) if index[k].is_some() => {
                return Err(CsvError::DuplicateColumn {
                    file: path.to_path_buf(),
                    line,
                    column: known[k],
                })
            }
            Some(k) => index[k] = Some(pos),
            None => unknown.push(name.to_string()),
        }
    }
    if !unknown.is_empty() {
        return Err(CsvError::UnknownColumns {
            file: path.to_path_buf(),
            line,
            columns: unknown,
            allowed: known,
        });
    }
    if let Some(k) = (0..required).find(|&k| index[k].is_none()) {
        return Err(CsvError::MissingColumn {
            file: path.to_path_buf(),
            line,
            column: known[k],
        });
    }
    Ok(Columns { index, count })
}

/// Splits a row into trimmed fields, checking the count against the header.
pub(super) fn split_row<'a>(
    path: &Path,
    line: u64,
    row: &'a str,
    expected: usize,
    fields: &mut Vec<&'a str>,
) -> Result<(), CsvError> {
    fields.clear();
    fields.extend(row.split(',').map(str::trim));
    if fields.len() != expected {
        return Err(CsvError::FieldCount {
            file: path.to_path_buf(),
            line,
            expected,
            found: fields.len(),
        });
    }
    Ok(())
}

/// The field for an optional column, `""` if the column is absent.
pub(super) fn field<'a>(fields: &[&'a str], col: Option<usize>) -> &'a str {
    col.and_then(|c| fields.get(c).copied()).unwrap_or("")
}

/// Parses an id-like field: a non-negative integer that fits in `u32`.
pub(super) fn parse_u32(
    path: &Path,
    line: u64,
    column: &'static str,
    value: &str,
) -> Result<u32, CsvError> {
    match value.parse::<u64>() {
        Ok(v) => u32::try_from(v).map_err(|_| bad(path, line, column, value, TOO_BIG)),
        Err(_) => Err(bad(path, line, column, value, NOT_ID)),
    }
}

/// A [`CsvError::BadValue`] for `value` in `column` on `line`.
pub(super) fn bad(
    path: &Path,
    line: u64,
    column: &'static str,
    value: &str,
    expected: &'static str,
) -> CsvError {
    CsvError::BadValue {
        file: path.to_path_buf(),
        line,
        column,
        value: value.to_string(),
        expected,
    }
}
