//! Small helpers for `report.html` and the closing line: escaping, base64 for inlined images,
//! and numbers and money formatted for reading (thousands separators, a true minus sign, a
//! few significant digits, intervals).
//! Kept apart from the page itself so the page's module holds only what the page says.

use std::fmt::Write as _;

use super::{analysis::Estimate, Conventions};
use crate::stats::Interval;

/// Escapes `&`, `<`, `>`, `"` and `'` for HTML text and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Standard base64 with padding (RFC 4648), for inlining PNG bytes.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A number for reading: `sig` significant digits below 1000, whole numbers with thousands
/// separators from 1000, and a true minus sign.
pub fn fmt_num(x: f64, sig: usize) -> String {
    if x.is_nan() {
        return "not defined".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "∞" } else { "−∞" }.into();
    }
    let a = x.abs();
    // Below 1e-10 a value is rounding noise of a difference of equal numbers.
    let body = if a < 1e-10 {
        "0".to_string()
    } else if a >= 1e15 {
        format!("{a:.3e}")
    } else if a >= 1000.0 {
        let digits = format!("{}", a.round() as u64);
        let mut grouped = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        grouped
    } else {
        let mag = a.log10().floor() as i32;
        let decimals = (sig as i32 - 1 - mag).clamp(0, 12) as usize;
        format!("{a:.decimals$}")
    };
    let zero = body.chars().all(|c| c == '0' || c == '.');
    if x < 0.0 && !zero {
        format!("−{body}")
    } else {
        body
    }
}

/// A signed number: a plus sign for positive values (a difference reads better with one).
pub fn signed(x: f64, sig: usize) -> String {
    let s = fmt_num(x, sig);
    if x > 0.0 && s != "0" {
        format!("+{s}")
    } else {
        s
    }
}

/// A difference with its interval, e.g. "−12.3 (95% interval −20.1 to −4.5)".
pub fn diff_text(d: &Interval, scale: f64, unit: &str) -> String {
    let mut s = format!("{}{unit}", signed(d.mean * scale, 3));
    if d.n >= 2 {
        let _ = write!(
            s,
            " (95% interval {} to {})",
            fmt_num(d.lo * scale, 3),
            fmt_num(d.hi * scale, 3)
        );
    }
    s
}

/// An amount of money for reading: millions as "2.00 million", else whole numbers.
pub fn money_num(x: f64) -> String {
    if x.abs() >= 1e6 && x.abs() < 1e15 {
        format!("{} million", fmt_num(x / 1e6, 3))
    } else {
        fmt_num(x, 3)
    }
}

/// An amount followed by the (escaped) currency, e.g. "2.00 million GBP".
pub fn money(conv: &Conventions, x: f64) -> String {
    format!("{}{}", money_num(x), currency_suffix(conv))
}

/// " GBP" for a currency, else nothing.
pub fn currency_suffix(conv: &Conventions) -> String {
    conv.currency
        .as_deref()
        .map(|c| format!(" {}", escape(c)))
        .unwrap_or_default()
}

/// A ratio with its interval; `unit` follows the point value only.
pub fn estimate_text(e: &Estimate, fmt: &dyn Fn(f64) -> String, unit: &str) -> String {
    let mut s = format!("{}{unit}", fmt(e.value));
    match (e.lo, e.hi) {
        (Some(lo), Some(hi)) => {
            let _ = write!(s, " (95% interval {} to {})", fmt(lo), fmt(hi));
        }
        (Some(lo), None) => {
            let _ = write!(
                s,
                " (95% interval from {}, with no upper bound as it may avert nothing)",
                fmt(lo)
            );
        }
        _ => {}
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape("<b>\"Tom\" & 'Jerry'</b>"),
            "&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;"
        );
        assert_eq!(escape("plain −0.3"), "plain −0.3");
    }

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), expected, "{input}");
        }
        assert_eq!(base64(&[0xff, 0xfe, 0x00]), "//4A");
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(fmt_num(-0.3123, 3), "−0.312");
        assert_eq!(fmt_num(0.0, 3), "0");
        assert_eq!(fmt_num(1234567.8, 3), "1,234,568");
        assert_eq!(fmt_num(-999.0, 3), "−999");
        assert_eq!(fmt_num(12.345, 3), "12.3");
        assert_eq!(fmt_num(-0.0, 3), "0");
    }
}
