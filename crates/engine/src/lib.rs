//! The obligation engine.
