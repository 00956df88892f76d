//! morris
