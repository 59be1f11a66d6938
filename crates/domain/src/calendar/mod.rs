//! Working-day calendar (see SPEC "Working days").
