//! prim
