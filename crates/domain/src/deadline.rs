//! Deadlines computed from the working-day calendar.
