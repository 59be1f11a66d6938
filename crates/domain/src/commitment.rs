//! Notification-commitment (告知承诺) rules: who may commit (R4.4), which post-check a
//! signed commitment gets (R4.3, R4.5), the per-item check rules' coverage of every credit
//! score (no overlap, no gap), sampling draws and withdrawal (R4.6). No IO.

use serde::{Deserialize, Serialize};

use crate::credit::{CreditStatus, MAX_SCORE};

/// A closed set of stored values: the text in the database and the JSON API (`as_str`),
/// the Chinese label on pages (`label`), parsing of untrusted text (`parse`).
macro_rules! text_enum {
    ($(#[$m:meta])* pub enum $name:ident {
        $($(#[$vm:meta])* $v:ident => ($s:literal, $l:literal)),+ $(,)?
    }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $v),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$v => $s),+ }
            }

            pub fn label(self) -> &'static str {
                match self { $($name::$v => $l),+ }
            }

            pub fn parse(s: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s.trim())
            }
        }
    };
}
pub(crate) use text_enum;

text_enum! {
    /// How a post-check is carried out (核查方式).
    pub enum CheckMethod {
        /// 数据比对: compare with shared data.
        DataComparison => ("data_comparison", "数据比对"),
        OnSite => ("on_site", "现场核查"),
        /// Documents.
        DocumentCheck => ("document_check", "书面核查"),
    }
}

/// One band of an item's check rule: subjects whose credit score lies in
/// `min_score..=max_score` are checked this way (R4.3: credit status is a main factor).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RuleBand {
    pub min_score: i64,
    pub max_score: i64,
    /// 免予核查: left to routine double-random supervision (R4.5).
    pub exempt: bool,
    pub method: Option<CheckMethod>,
    /// Check within this many working days of signing (or of being drawn).
    pub within_wd: i64,
    /// Share of commitments checked, per mille (1000 = every one).
    pub sample_permille: i64,
}

/// The longest a check may wait, in working days.
pub const MAX_WITHIN_WD: i64 = 120;

fn band_text(b: &RuleBand) -> String {
    format!("{}–{}分", b.min_score, b.max_score)
}

/// Every problem of a rule's bands, in Chinese, each naming the band (R4.3). The bands must
/// cover every score 0–1000 exactly once: an overlap would make the plan ambiguous, a gap
/// would leave some subjects without a plan.
pub fn band_problems(bands: &[RuleBand]) -> Vec<String> {
    let mut out = vec![];
    if bands.is_empty() {
        out.push("至少需要一档核查规则".to_owned());
        return out;
    }
    for (i, b) in bands.iter().enumerate() {
        let n = i + 1;
        if b.min_score < 0 || b.max_score > MAX_SCORE || b.min_score > b.max_score {
            out.push(format!(
                "第{n}档的分数区间 {}–{} 无效（应在 0–{MAX_SCORE} 之间，且下限不大于上限）",
                b.min_score, b.max_score
            ));
            continue;
        }
        if b.exempt {
            if b.method.is_some() || b.sample_permille != 0 {
                out.push(format!(
                    "第{n}档（{}）为免予核查，不能同时设定核查方式或抽查比例",
                    band_text(b)
                ));
            }
        } else {
            if b.method.is_none() {
                out.push(format!("第{n}档（{}）需要选择核查方式", band_text(b)));
            }
            if !(1..=MAX_WITHIN_WD).contains(&b.within_wd) {
                out.push(format!(
                    "第{n}档（{}）的核查时限应为 1–{MAX_WITHIN_WD} 个工作日",
                    band_text(b)
                ));
            }
            if !(1..=1000).contains(&b.sample_permille) {
                out.push(format!(
                    "第{n}档（{}）的抽查比例应为 1–1000‰（1000‰ 即全部核查）",
                    band_text(b)
                ));
            }
        }
    }
    if !out.is_empty() {
        return out;
    }
    let mut sorted: Vec<&RuleBand> = bands.iter().collect();
    sorted.sort_by_key(|b| (b.min_score, b.max_score));
    let mut next = 0;
    let mut prev: Option<&RuleBand> = None;
    for b in sorted {
        if b.min_score > next {
            out.push(format!(
                "{}–{}分没有对应的核查规则（区间有缺口）",
                next,
                b.min_score - 1
            ));
        } else if let Some(p) = prev
            && b.min_score <= p.max_score
        {
            out.push(format!(
                "{}与{}重叠（{}–{}分同时落在两档中）",
                band_text(p),
                band_text(b),
                b.min_score,
                b.max_score.min(p.max_score)
            ));
        }
        if prev.is_none_or(|p| b.max_score > p.max_score) {
            next = b.max_score + 1;
            prev = Some(b);
        }
    }
    if next <= MAX_SCORE {
        out.push(format!(
            "{next}–{MAX_SCORE}分没有对应的核查规则（区间有缺口）"
        ));
    }
    out
}

text_enum! {
    /// What happens after signing (R4.3, R4.5).
    pub enum PlanKind {
        /// Checked, every one, within the time limit.
        Check => ("check", "全部核查"),
        /// Drawn by the daily sampling run at the band's rate.
        Sample => ("sample", "抽查"),
        /// 免予核查: routine double-random supervision (R4.5).
        Exempt => ("exempt", "免予核查（纳入“双随机、一公开”日常监管）"),
    }
}

/// A commitment's post-check plan, derived once at signing and stored with the rule
/// version that produced it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub kind: PlanKind,
    pub method: Option<CheckMethod>,
    pub within_wd: i64,
    pub sample_permille: i64,
    /// The band (index into the rule's bands) that applied.
    pub band: usize,
}

impl Plan {
    /// The plan in one Chinese sentence, for the letter and the applicant.
    pub fn describe(&self) -> String {
        match self.kind {
            PlanKind::Exempt => PlanKind::Exempt.label().to_owned(),
            PlanKind::Check => format!(
                "签署后 {} 个工作日内以{}方式核查",
                self.within_wd,
                self.method.map(CheckMethod::label).unwrap_or("")
            ),
            PlanKind::Sample => format!(
                "按 {}‰ 的比例抽查，抽中后 {} 个工作日内以{}方式核查",
                self.sample_permille,
                self.within_wd,
                self.method.map(CheckMethod::label).unwrap_or("")
            ),
        }
    }
}

/// The plan for a subject with `score` under a valid rule (R4.3). `None` only if the
/// bands do not cover the score, which [`band_problems`] prevents.
pub fn derive_plan(bands: &[RuleBand], score: i64) -> Option<Plan> {
    let score = score.clamp(0, MAX_SCORE);
    let (i, b) = bands
        .iter()
        .enumerate()
        .find(|(_, b)| (b.min_score..=b.max_score).contains(&score))?;
    let kind = if b.exempt {
        PlanKind::Exempt
    } else if b.sample_permille >= 1000 {
        PlanKind::Check
    } else {
        PlanKind::Sample
    };
    Some(Plan {
        kind,
        method: if b.exempt { None } else { b.method },
        within_wd: if b.exempt { 0 } else { b.within_wd },
        sample_permille: if b.exempt { 0 } else { b.sample_permille },
        band: i,
    })
}

/// Why a subject may not use commitment, and the way back (R4.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    pub reason: String,
    pub way_back: String,
}

/// R4.4 (P 三(二)2, 三(四)3): a serious bad credit record or the false-commitment
/// blacklist bars commitment until credit repair.
pub fn eligibility(status: &CreditStatus) -> Result<(), Refusal> {
    if status.blacklisted {
        return Err(Refusal {
            reason: "申请人已被列入虚假承诺黑名单，在信用修复前不适用告知承诺制".to_owned(),
            way_back: "履行相关义务、纠正失信行为后，可向县社会信用建设联席会议办公室（县发展和改革局）申请信用修复；本次办理请改用数据共享、部门核验等其他方式".to_owned(),
        });
    }
    if status.serious_records > 0 {
        return Err(Refusal {
            reason: format!(
                "申请人有 {} 条较严重的不良信用记录，在信用修复前不适用告知承诺制",
                status.serious_records
            ),
            way_back: "纠正失信行为后可申请信用修复；本次办理请改用数据共享、部门核验等其他方式"
                .to_owned(),
        });
    }
    Ok(())
}

/// The sampling draw for one commitment on one run: a number in 0..1000 that depends only
/// on the commitment and the run's seed, so a re-run of the same day draws the same ones.
pub fn sample_draw(commitment_id: i64, seed: u64) -> i64 {
    // SplitMix64: cheap, well mixed, reproducible.
    let mut z = (commitment_id as u64)
        .wrapping_add(seed)
        .wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z % 1000) as i64
}

/// Whether a sampled commitment is drawn for a check.
pub fn drawn(commitment_id: i64, seed: u64, permille: i64) -> bool {
    sample_draw(commitment_id, seed) < permille
}

text_enum! {
    /// Where a commitment stands.
    pub enum CommitmentState {
        /// Signed and sealed; the post-check (if any) is pending.
        Signed => ("signed", "已签署"),
        /// Withdrawn before the case was decided (R4.6).
        Withdrawn => ("withdrawn", "已撤回"),
        /// The check found the promise kept.
        Kept => ("kept", "核查属实"),
        /// The check found the promise false.
        False => ("false", "虚假承诺"),
        /// The check could not be carried out.
        Unchecked => ("unchecked", "无法核查"),
    }
}

text_enum! {
    /// Where the applicant signed (R4.2).
    pub enum SigningChannel {
        /// Online, after real-name login at the portal.
        Portal => ("portal", "政务服务门户"),
        /// In person at the counter, confirmed by the clerk.
        Counter => ("counter", "窗口"),
    }
}

text_enum! {
    /// A sampled commitment's place in the daily draw (R4.3).
    pub enum SampleState {
        /// Not a sampled plan.
        None => ("none", "不抽查"),
        /// Waiting for the next draw.
        Pending => ("pending", "待抽取"),
        /// Drawn: checked like a full check.
        Drawn => ("drawn", "已抽中"),
        /// Not drawn: routine supervision.
        NotDrawn => ("not_drawn", "未抽中"),
    }
}

text_enum! {
    /// A commitment template's stage (R4.1): legal review, then publication.
    pub enum TemplateStage {
        Submitted => ("submitted", "待合法性审查"),
        Approved => ("approved", "审查通过"),
        Returned => ("returned", "已退回"),
        Published => ("published", "已公布"),
        /// A later version was published.
        Superseded => ("superseded", "已被新版本替代"),
    }
}

text_enum! {
    /// The justice bureau's verdict on a template.
    pub enum ReviewVerdict {
        Approve => ("approve", "通过"),
        Return => ("return", "退回"),
    }
}

impl ReviewVerdict {
    /// The template's stage after this verdict.
    pub fn stage(self) -> TemplateStage {
        match self {
            ReviewVerdict::Approve => TemplateStage::Approved,
            ReviewVerdict::Return => TemplateStage::Returned,
        }
    }
}

/// The seed's domains where commitment is not used (国办发〔2020〕42号), by label.
pub fn default_excluded_domains() -> Vec<String> {
    crate::catalogue::EXCLUDED_RISK_DOMAINS
        .iter()
        .map(|d| d.label.to_owned())
        .collect()
}

/// A value of the excluded-domains setting: at least one, distinct, each a known domain
/// (code or label).
pub fn excluded_domains_problem(domains: &[String]) -> Option<String> {
    if domains.is_empty() {
        return Some("不适用告知承诺的领域至少要有一项".to_owned());
    }
    let mut seen = std::collections::HashSet::new();
    for d in domains {
        let Some(known) = crate::catalogue::RiskDomain::find(d) else {
            let all: Vec<&str> = crate::catalogue::EXCLUDED_RISK_DOMAINS
                .iter()
                .map(|d| d.label)
                .collect();
            return Some(format!(
                "“{}”不是可选的风险领域（可选：{}）",
                d.chars().take(40).collect::<String>(),
                all.join("、")
            ));
        };
        if !seen.insert(known.code) {
            return Some(format!("“{}”重复", known.label));
        }
    }
    None
}

/// Why commitment may not replace a proof touching `item_domains` (codes) while `excluded`
/// (codes or labels: the setting in force) bars them, or whether the item is not
/// correctable afterwards (R4.1; 国办发〔2020〕42号).
pub fn item_refusal(
    item_domains: &[String],
    correctable_afterwards: bool,
    excluded: &[String],
) -> Option<String> {
    let barred: Vec<&str> = item_domains
        .iter()
        .filter_map(|c| crate::catalogue::RiskDomain::find(c))
        .filter(|d| {
            excluded
                .iter()
                .any(|e| crate::catalogue::RiskDomain::find(e).is_some_and(|x| x.code == d.code))
        })
        .map(|d| d.label)
        .collect();
    if !barred.is_empty() {
        return Some(format!(
            "涉及{}的证明事项不适用告知承诺（国办发〔2020〕42号）",
            barred.join("、")
        ));
    }
    if !correctable_afterwards {
        return Some("只有能够通过事中事后监管纠正且风险可控的证明事项才能实行告知承诺".to_owned());
    }
    None
}

/// R4.6: the applicant may withdraw while the case is not decided, once.
pub fn withdrawal_refusal(state: CommitmentState, case_open: bool) -> Option<&'static str> {
    match state {
        CommitmentState::Withdrawn => Some("该承诺已撤回，不能重复撤回"),
        CommitmentState::Signed if !case_open => Some("事项已办结（已作出决定），不能再撤回承诺"),
        CommitmentState::Signed => None,
        _ => Some("该承诺已经核查，不能撤回"),
    }
}

text_enum! {
    /// A post-check result.
    pub enum CheckResult {
        Kept => ("kept", "承诺属实"),
        False => ("false", "虚假承诺"),
        CouldNotCheck => ("could_not_check", "无法核查"),
    }
}

impl CheckResult {
    /// The commitment's state after this result.
    pub fn state(self) -> CommitmentState {
        match self {
            CheckResult::Kept => CommitmentState::Kept,
            CheckResult::False => CommitmentState::False,
            CheckResult::CouldNotCheck => CommitmentState::Unchecked,
        }
    }
}

text_enum! {
    /// Consequences of a false commitment (国办发〔2020〕42号), decided by the unit.
    pub enum Consequence {
        EndProcessing => ("end_processing", "终止办理"),
        OrderRectification => ("order_rectification", "责令限期整改"),
        RevokeDecision => ("revoke_decision", "撤销行政决定"),
        Penalty => ("penalty", "依法予以行政处罚"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn band(min: i64, max: i64, permille: i64) -> RuleBand {
        RuleBand {
            min_score: min,
            max_score: max,
            exempt: false,
            method: Some(CheckMethod::DataComparison),
            within_wd: 20,
            sample_permille: permille,
        }
    }

    fn exempt(min: i64, max: i64) -> RuleBand {
        RuleBand {
            min_score: min,
            max_score: max,
            exempt: true,
            method: None,
            within_wd: 0,
            sample_permille: 0,
        }
    }

    fn standard() -> Vec<RuleBand> {
        vec![band(0, 699, 1000), band(700, 899, 200), exempt(900, 1000)]
    }

    #[test]
    fn bands_covering_every_score_once_are_accepted() {
        // SPEC R4.3: the unit defines time, method and exemption per item.
        assert!(band_problems(&standard()).is_empty());
    }

    #[test]
    fn overlapping_bands_are_rejected_naming_both() {
        // SPEC R4.3: a subject must get exactly one plan.
        let p = band_problems(&[band(0, 750, 1000), band(700, 899, 200), exempt(900, 1000)]);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].contains("0–750分与700–899分重叠"), "{p:?}");
        assert!(p[0].contains("700–750"), "{p:?}");
    }

    #[test]
    fn gaps_are_rejected_with_the_missing_range() {
        // SPEC R4.3: every subject needs a plan.
        let p = band_problems(&[band(0, 599, 1000), band(700, 899, 200)]);
        assert_eq!(
            p,
            vec![
                "600–699分没有对应的核查规则（区间有缺口）".to_owned(),
                "900–1000分没有对应的核查规则（区间有缺口）".to_owned()
            ]
        );
    }

    #[test]
    fn bad_bands_name_the_band_and_field() {
        let mut b = band(0, 1000, 0);
        b.method = None;
        let p = band_problems(&[b]);
        assert!(
            p.iter()
                .any(|m| m.contains("第1档") && m.contains("核查方式"))
        );
        assert!(p.iter().any(|m| m.contains("抽查比例")));
        assert!(!band_problems(&[band(10, 5, 1000)]).is_empty());
        assert_eq!(band_problems(&[]), vec!["至少需要一档核查规则".to_owned()]);
    }

    #[test]
    fn plan_follows_credit_score_and_trustworthy_get_lighter_checks() {
        // SPEC R4.3 and R4.8 (守信联合激励): better credit, lighter check.
        let b = standard();
        assert_eq!(derive_plan(&b, 300).map(|p| p.kind), Some(PlanKind::Check));
        let s = derive_plan(&b, 750).unwrap();
        assert_eq!(
            (s.kind, s.sample_permille, s.band),
            (PlanKind::Sample, 200, 1)
        );
        // R4.5: exempt commitments fall under routine supervision.
        let e = derive_plan(&b, 950).unwrap();
        assert_eq!((e.kind, e.method), (PlanKind::Exempt, None));
        assert!(e.describe().contains("双随机"));
        assert!(derive_plan(&b, 5000).is_some(), "scores are clamped");
    }

    #[test]
    fn blacklisted_or_seriously_untrustworthy_subjects_are_refused_with_a_way_back() {
        // SPEC R4.4.
        let ok = CreditStatus::default();
        assert!(eligibility(&ok).is_ok());
        let bl = CreditStatus {
            blacklisted: true,
            ..ok.clone()
        };
        let r = eligibility(&bl).unwrap_err();
        assert!(r.reason.contains("黑名单"));
        assert!(r.way_back.contains("信用修复"));
        let serious = CreditStatus {
            serious_records: 2,
            ..ok
        };
        assert!(eligibility(&serious).unwrap_err().reason.contains("2 条"));
    }

    #[test]
    fn sampling_draws_are_reproducible_and_near_the_rate() {
        let hits = (0..100_000).filter(|i| drawn(*i, 20260312, 200)).count();
        assert!((18_000..22_000).contains(&hits), "{hits}");
        assert_eq!(sample_draw(42, 7), sample_draw(42, 7));
        assert!((0..1000).all(|i| !drawn(i, 1, 0)));
        assert!((0..1000).all(|i| drawn(i, 1, 1000)));
    }

    #[test]
    fn excluded_domains_follow_the_setting_in_force() {
        // SPEC R4.1, 国办发〔2020〕42号; SPEC "Trial rules": the excluded domains are a setting.
        let all = default_excluded_domains();
        assert_eq!(excluded_domains_problem(&all), None);
        let item = vec!["public_safety".to_owned()];
        assert!(
            item_refusal(&item, true, &all)
                .unwrap()
                .contains("公共安全")
        );
        let fewer = vec!["国家安全".to_owned()];
        assert_eq!(item_refusal(&item, true, &fewer), None);
        assert!(
            item_refusal(&[], false, &fewer)
                .unwrap()
                .contains("事中事后")
        );
        assert!(excluded_domains_problem(&[]).is_some());
        assert!(
            excluded_domains_problem(&["外星人".to_owned()])
                .unwrap()
                .contains("可选")
        );
        let dup = vec!["国家安全".to_owned(), "national_security".to_owned()];
        assert!(excluded_domains_problem(&dup).unwrap().contains("重复"));
    }

    #[test]
    fn withdrawal_only_once_and_only_before_the_decision() {
        // SPEC R4.6.
        use CommitmentState as S;
        assert_eq!(withdrawal_refusal(S::Signed, true), None);
        assert!(withdrawal_refusal(S::Signed, false).is_some());
        assert!(
            withdrawal_refusal(S::Withdrawn, true)
                .unwrap()
                .contains("重复")
        );
        assert!(withdrawal_refusal(S::Kept, true).is_some());
    }

    #[test]
    fn results_and_consequences_parse() {
        assert_eq!(CheckResult::parse("false"), Some(CheckResult::False));
        assert_eq!(CheckResult::parse("maybe"), None);
        assert_eq!(
            Consequence::parse("revoke_decision").map(Consequence::label),
            Some("撤销行政决定")
        );
        assert_eq!(CheckMethod::parse("on_site"), Some(CheckMethod::OnSite));
        // Stored and API text is the serde name: a row decodes straight into the enum.
        for s in CommitmentState::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        for s in SampleState::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        for s in TemplateStage::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
    }
}
