use sizes::{format_size, parse_size, SizeError};

#[test]
fn kilobytes() {
    assert_eq!(parse_size("2KB"), Ok(2048));
}

#[test]
fn megabytes() {
    assert_eq!(parse_size("1MB"), Ok(1_048_576));
}

#[test]
fn bytes() {
    assert_eq!(parse_size("512B"), Ok(512));
}

#[test]
fn empty_size() {
    assert_eq!(parse_size(""), Err(SizeError::Empty));
}

#[test]
fn unknown_unit() {
    let err = parse_size("3XB").unwrap_err();
    assert_eq!(err.to_string(), "unknown unit: XB");
}

#[test]
fn formats_for_people() {
    assert_eq!(format_size(1536), "1.5 KiB");
}
