//! sobol
