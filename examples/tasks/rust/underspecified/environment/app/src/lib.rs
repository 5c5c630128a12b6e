//! Byte sizes. Implement the crate as the task statement describes.
