//! Rep statistics per period.
