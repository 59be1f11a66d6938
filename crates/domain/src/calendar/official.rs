//! The State Council's holiday arrangements (国务院办公厅关于……部分节假日安排的通知), one CSV
//! file per year under `data/calendar/`, embedded in the binary. See `data/calendar/README.md`.

/// One published notice and its embedded data file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfficialYear {
    /// The year the notice arranges.
    pub year: i32,
    /// Document number, also the `source` column of every row, e.g. 国办发明电〔2025〕7号.
    pub notice: &'static str,
    /// Publication date of the notice (YYYY-MM-DD).
    pub published: &'static str,
    /// The data file (`date,kind,name,source`).
    pub csv: &'static str,
}

/// Every year whose notice has been published and checked, oldest first. Add a line here
/// (and the CSV file) when a new notice appears; never add a year before its notice exists.
pub const OFFICIAL_YEARS: &[OfficialYear] = &[
    OfficialYear {
        year: 2021,
        notice: "国办发明电〔2020〕27号",
        published: "2020-11-25",
        csv: include_str!("../../data/calendar/2021.csv"),
    },
    OfficialYear {
        year: 2022,
        notice: "国办发明电〔2021〕11号",
        published: "2021-10-25",
        csv: include_str!("../../data/calendar/2022.csv"),
    },
    OfficialYear {
        year: 2023,
        notice: "国办发明电〔2022〕16号",
        published: "2022-12-08",
        csv: include_str!("../../data/calendar/2023.csv"),
    },
    OfficialYear {
        year: 2024,
        notice: "国办发明电〔2023〕7号",
        published: "2023-10-25",
        csv: include_str!("../../data/calendar/2024.csv"),
    },
    OfficialYear {
        year: 2025,
        notice: "国办发明电〔2024〕12号",
        published: "2024-11-12",
        csv: include_str!("../../data/calendar/2025.csv"),
    },
    OfficialYear {
        year: 2026,
        notice: "国办发明电〔2025〕7号",
        published: "2025-11-04",
        csv: include_str!("../../data/calendar/2026.csv"),
    },
];
