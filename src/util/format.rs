//! Number formats as authors write them (`US$,.0f m`, `.1%`, `,d`): one parser and
//! one formatter for inline values, key figures, chart labels and captions.
//! Written by hand: the format is a small subset of Python's format mini-language
//! with text around it, which no crate reads as such.

/// A number format taken apart: the text around the spec and the spec itself.
#[derive(Debug, Clone, PartialEq)]
pub struct NumberFormat<'a> {
    pub prefix: &'a str,
    pub suffix: &'a str,
    /// Thousands separators.
    pub comma: bool,
    pub decimals: Option<usize>,
    /// `f`, `d`, `%`, or `g` for a bare `,` (the number's own decimals).
    pub kind: u8,
}

/// Parse a format such as `US$,.0f m`; an error explains the form.
pub fn parse_format(format: &str) -> Result<NumberFormat<'_>, String> {
    let bytes = format.as_bytes();
    // Find the spec: an optional comma, an optional .N, then f, d or %.
    for start in 0..bytes.len() {
        let mut i = start;
        let comma = bytes[i] == b',';
        if comma {
            i += 1;
        }
        let mut decimals = None;
        if i < bytes.len() && bytes[i] == b'.' {
            let ds = i + 1;
            let mut de = ds;
            while de < bytes.len() && bytes[de].is_ascii_digit() {
                de += 1;
            }
            if de == ds {
                continue;
            }
            decimals = format[ds..de].parse::<usize>().ok().map(|d| d.min(12));
            i = de;
        }
        if i < bytes.len()
            && matches!(bytes[i], b'f' | b'd' | b'%')
            && (comma || decimals.is_some())
        {
            return Ok(NumberFormat {
                prefix: &format[..start],
                suffix: &format[i + 1..],
                comma,
                decimals,
                kind: bytes[i],
            });
        }
    }
    if format.trim() == "," {
        return Ok(NumberFormat {
            prefix: "",
            suffix: "",
            comma: true,
            decimals: None,
            kind: b'g',
        });
    }
    Err(format!(
        "format=\"{format}\" has no number spec; use e.g. \",.0f\" (thousands, no decimals), \".1f\", \",d\" or \".1%\""
    ))
}

/// Format `n` by a spec such as `,.1f`, `.0f`, `,d` or `.1%`, with any text around
/// it kept as written: `US$,.0f m` → `US$2,350 m`. A bare `,` means thousands
/// separators and the number's own decimals.
pub fn format_number(n: f64, format: &str) -> Result<String, String> {
    let NumberFormat {
        prefix,
        suffix,
        comma,
        decimals,
        kind,
    } = parse_format(format)?;
    let body = match kind {
        b'd' => format!("{}", n.round() as i64),
        b'%' => format!("{:.*}", decimals.unwrap_or(0), n * 100.0),
        b'f' => format!("{:.*}", decimals.unwrap_or(0), n),
        _ => n.to_string(),
    };
    let body = if comma { group_thousands(&body) } else { body };
    let percent = if kind == b'%' { "%" } else { "" };
    Ok(format!("{prefix}{body}{percent}{suffix}"))
}

fn group_thousands(num: &str) -> String {
    let (sign, rest) = num.strip_prefix('-').map_or(("", num), |r| ("-", r));
    let (int, frac) = rest
        .split_once('.')
        .map_or((rest, None), |(i, f)| (i, Some(f)));
    let mut grouped = String::with_capacity(int.len() + int.len() / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(format_number(2350.0, "US$,.0f m").unwrap(), "US$2,350 m");
        assert_eq!(format_number(103.4, ".1f").unwrap(), "103.4");
        assert_eq!(format_number(1234567.891, ",.2f").unwrap(), "1,234,567.89");
        assert_eq!(format_number(-1234.0, ",d").unwrap(), "-1,234");
        assert_eq!(format_number(0.481, ".1%").unwrap(), "48.1%");
        assert_eq!(format_number(6500.0, ",").unwrap(), "6,500");
        assert_eq!(format_number(10.69, ",").unwrap(), "10.69");
        assert_eq!(
            format_number(112.0, "$,.0f million").unwrap(),
            "$112 million"
        );
        assert!(format_number(1.0, "dollars").is_err());
    }
}
