//! Byte sizes: "2KB" <-> 2048 bytes (binary units: 1 KB is 1024 bytes).

use std::fmt;

/// Why a size could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SizeError {
    Empty,
    NoNumber,
    UnknownUnit(String),
}

impl fmt::Display for SizeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SizeError::Empty => write!(f, "empty size"),
            SizeError::NoNumber => write!(f, "a size starts with a number"),
            SizeError::UnknownUnit(unit) => write!(f, "unknown unit: {}", unit),
        }
    }
}

const UNITS: [(&str, u64); 4] = [("B", 1), ("KB", 1 << 10), ("MB", 1 << 20), ("GB", 1 << 30)];

pub fn parse_size(text: &str) -> Result<u64, SizeError> {
    if text.is_empty() {
        return Err(SizeError::Empty);
    }
    let digits = text.chars().take_while(|c| c.is_ascii_digit()).count();
    let count: u64 = text[..digits].parse().map_err(|_| SizeError::NoNumber)?;
    let unit = &text[digits..];
    match UNITS.iter().find(|(name, _)| *name == unit) {
        Some((_, size)) => Ok(count * size),
        None => Err(SizeError::UnknownUnit(unit.to_string())),
    }
}

/// A size for people to read, with binary prefixes: 1536 -> "1.5 KiB".
pub fn format_size(bytes: u64) -> String {
    let names = ["B", "KiB", "MiB", "GiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < names.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{} B", bytes)
    } else {
        format!("{:.1} {}", value, names[unit])
    }
}
