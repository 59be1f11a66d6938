//! Precomputed per-day table: one byte a day, indexed by local day number, so a deadline
//! computation is O(days spanned) with no allocation and no date arithmetic.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};

use super::day::Entry;

/// `NaiveDate::num_days_from_ce` of 1970-01-01: day numbers count from the Unix epoch.
const EPOCH_DAYS_FROM_CE: i64 = 719_163;

/// First year held in the table; dates before it use plain weekends.
pub const TABLE_FIRST_YEAR: i32 = 2000;
/// Last year held in the table; dates after it use plain weekends.
pub const TABLE_LAST_YEAR: i32 = 2199;

const WORKING: u8 = 0b0000_0001;
const COMPLETE: u8 = 0b0000_0010;
const MONTH_SHIFT: u8 = 4;

/// Day number (days since 1970-01-01) of a date.
pub(crate) fn day_number(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce()) - EPOCH_DAYS_FROM_CE
}

/// The date of a day number, if chrono can represent it.
pub(crate) fn date_of(day: i64) -> Option<NaiveDate> {
    let ce = i32::try_from(day + EPOCH_DAYS_FROM_CE).ok()?;
    NaiveDate::from_num_days_from_ce_opt(ce)
}

/// 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday).
fn weekday_index(day: i64) -> i64 {
    (day + 3).rem_euclid(7)
}

/// What a deadline computation needs to know about one day, packed in a byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DayBits(u8);

impl DayBits {
    pub(crate) fn working(self) -> bool {
        self.0 & WORKING != 0
    }

    /// The year of the day has a published notice loaded.
    pub(crate) fn complete(self) -> bool {
        self.0 & COMPLETE != 0
    }

    /// Month, 0 = January.
    pub(crate) fn month0(self) -> usize {
        usize::from(self.0 >> MONTH_SHIFT)
    }

    fn new(working: bool, complete: bool, month0: u32) -> DayBits {
        let mut b = (u8::try_from(month0).unwrap_or(0) & 0x0f) << MONTH_SHIFT;
        if working {
            b |= WORKING;
        }
        if complete {
            b |= COMPLETE;
        }
        DayBits(b)
    }

    /// Plain weekends, incomplete: the answer for a day outside the table.
    fn plain(day: i64) -> DayBits {
        let month0 = date_of(day).map_or(0, |d| d.month0());
        DayBits::new(weekday_index(day) < 5, false, month0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DayTable {
    first_day: i64,
    bits: Vec<u8>,
}

impl DayTable {
    pub(crate) fn build(entries: &BTreeMap<NaiveDate, Entry>, complete: &BTreeSet<i32>) -> Self {
        let first = NaiveDate::from_ymd_opt(TABLE_FIRST_YEAR, 1, 1).map_or(0, day_number);
        let end = NaiveDate::from_ymd_opt(TABLE_LAST_YEAR + 1, 1, 1).map_or(first, day_number);
        let len = usize::try_from(end - first).unwrap_or(0);
        let mut bits = Vec::with_capacity(len);
        let mut date = NaiveDate::from_ymd_opt(TABLE_FIRST_YEAR, 1, 1);
        let mut day = first;
        while day < end {
            let Some(d) = date else { break };
            let working = match entries.get(&d) {
                Some(e) => e.kind.is_working(),
                None => weekday_index(day) < 5,
            };
            bits.push(DayBits::new(working, complete.contains(&d.year()), d.month0()).0);
            date = d.succ_opt();
            day += 1;
        }
        DayTable {
            first_day: first,
            bits,
        }
    }

    #[inline]
    pub(crate) fn get(&self, day: i64) -> DayBits {
        match usize::try_from(day - self.first_day)
            .ok()
            .and_then(|i| self.bits.get(i))
        {
            Some(&b) => DayBits(b),
            None => DayBits::plain(day),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_count_from_the_unix_epoch() {
        assert_eq!(NaiveDate::from_ymd_opt(1970, 1, 1).map(day_number), Some(0));
        assert_eq!(date_of(0), NaiveDate::from_ymd_opt(1970, 1, 1));
        assert_eq!(weekday_index(0), 3); // Thursday
    }

    #[test]
    fn days_outside_the_table_are_plain_weekends_and_incomplete() {
        let table = DayTable::build(&BTreeMap::new(), &BTreeSet::new());
        let sat = NaiveDate::from_ymd_opt(2300, 1, 6).map_or(0, day_number); // a Saturday
        assert!(!table.get(sat).working());
        assert!(!table.get(sat).complete());
        assert!(table.get(sat - 1).working());
        assert_eq!(table.get(sat).month0(), 0);
    }
}
