//! The raw inputs of notification-commitment as they arrive, each parsed once into a typed
//! command; errors in Chinese, naming the field.

use proofless_domain::commitment::{
    CheckMethod, CheckResult, Consequence, ReviewVerdict, RuleBand, SigningChannel, TemplateStage,
    band_problems,
};
use serde::{Deserialize, Serialize};

use super::repo::FigureGrouping;
use crate::error::{AppError, AppResult, FieldError, Problems};

// --- signing -------------------------------------------------------------------------------

#[derive(Debug, Clone, Deserialize, utoipa::IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct EligibilityQuery {
    pub proof_item_id: i64,
    /// Counter: the applicant at the counter, by opaque public id (`Person.id`).
    pub person_id: Option<String>,
    pub entity_id: Option<i64>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct SignInput {
    pub case_id: i64,
    pub proof_item_id: i64,
    /// Counter only: the applicant present, by opaque public id (`Person.id`). Portal users
    /// always sign for themselves.
    pub person_id: Option<String>,
    /// When committing for a company the person represents.
    pub entity_id: Option<i64>,
    /// The facts promised, in the applicant's words (承诺的具体事项).
    #[serde(default)]
    pub facts: String,
    /// Counter: the clerk confirms the applicant read and signed the letter in person.
    #[serde(default)]
    pub applicant_confirmed: bool,
    /// The applicant chooses commitment (it is never forced, R4.2).
    #[serde(default)]
    pub chosen_by_applicant: bool,
}

/// A signature to make, checked.
#[derive(Debug, Clone)]
pub struct SignCommand {
    pub case_id: i64,
    pub proof_item_id: i64,
    pub person_id: Option<i64>,
    pub entity_id: Option<i64>,
    /// Trimmed.
    pub facts: String,
    pub channel: SigningChannel,
}

impl SignInput {
    /// Every problem at once. The counter clerk confirms the signature in person; the
    /// portal's real-name login is the applicant's own.
    pub fn parse(&self, channel: SigningChannel) -> AppResult<SignCommand> {
        let mut p = Problems::default();
        if self.facts.chars().count() > 2000 {
            p.add("facts", "承诺的具体事项不能超过2000字");
        }
        if !self.chosen_by_applicant {
            p.add(
                "chosen_by_applicant",
                "告知承诺须由申请人自愿选择，不得强制；请确认申请人选择以承诺代替证明",
            );
        }
        if channel == SigningChannel::Counter && !self.applicant_confirmed {
            p.add(
                "applicant_confirmed",
                "窗口签署须由受理人员确认申请人已阅读并当面签署承诺书",
            );
        }
        p.into_result()?;
        Ok(SignCommand {
            case_id: self.case_id,
            proof_item_id: self.proof_item_id,
            // Resolved from the public id by `sign` (persons are addressed by opaque ids).
            person_id: None,
            entity_id: self.entity_id,
            facts: self.facts.trim().to_owned(),
            channel,
        })
    }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct WithdrawInput {
    pub reason: String,
    /// Counter: the clerk confirms the applicant, present in person, asks to withdraw
    /// (R4.6: withdrawal is the applicant's act, as signing is).
    #[serde(default)]
    pub applicant_confirmed: bool,
}

impl WithdrawInput {
    /// The reason, trimmed; every problem at once. At the counter the applicant's own
    /// request must be confirmed: a clerk alone may not withdraw (R4.6).
    pub fn parse(&self, channel: SigningChannel) -> AppResult<String> {
        let mut p = Problems::default();
        let reason = self.reason.trim();
        if reason.chars().count() < 2 {
            p.add("reason", "请写明撤回承诺的理由");
        } else if reason.chars().count() > 1000 {
            p.add("reason", "撤回理由不能超过1000字");
        }
        if channel == SigningChannel::Counter && !self.applicant_confirmed {
            p.add(
                "applicant_confirmed",
                "撤回承诺是申请人本人的行为：窗口撤回须由受理人员确认申请人本人到场并提出撤回，工作人员不能自行撤回",
            );
        }
        p.into_result()?;
        Ok(reason.to_owned())
    }
}

// --- post-checks ---------------------------------------------------------------------------

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResultInput {
    /// `kept` (承诺属实), `false` (虚假承诺), `could_not_check` (无法核查).
    pub result: String,
    /// What was checked and found (记录核查证据).
    pub evidence: String,
    /// For a false commitment: `end_processing`, `order_rectification`, `revoke_decision`,
    /// `penalty` (国办发〔2020〕42号).
    pub consequence: Option<String>,
}

/// A check result to record.
#[derive(Debug, Clone)]
pub struct CheckCommand {
    pub result: CheckResult,
    /// Trimmed.
    pub evidence: String,
    /// Only (and always) for a false commitment.
    pub consequence: Option<Consequence>,
}

impl ResultInput {
    pub fn parse(&self) -> AppResult<CheckCommand> {
        let mut p = Problems::default();
        let result = CheckResult::parse(&self.result);
        if result.is_none() {
            p.add(
                "result",
                "核查结果应为 kept（承诺属实）、false（虚假承诺）或 could_not_check（无法核查）",
            );
        }
        let evidence = self.evidence.trim();
        let ev = evidence.chars().count();
        if ev < 2 {
            p.add("evidence", "请记录核查证据（核查了什么、发现了什么）");
        } else if ev > 10_000 {
            p.add("evidence", "核查证据不能超过10000字");
        }
        let text = self
            .consequence
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty());
        let consequence = text.and_then(Consequence::parse);
        match (result, text) {
            (Some(CheckResult::False), None) => p.add(
                "consequence",
                "虚假承诺须选择处理措施：终止办理、责令限期整改、撤销行政决定或依法予以行政处罚",
            ),
            (Some(CheckResult::False), Some(c)) if consequence.is_none() => p.add(
                "consequence",
                format!("处理措施“{}”无效", c.chars().take(40).collect::<String>()),
            ),
            (Some(r), Some(_)) if r != CheckResult::False => {
                p.add("consequence", "只有虚假承诺才需要处理措施")
            }
            _ => {}
        }
        p.into_result()?;
        let result = result.ok_or_else(|| AppError::Internal("校验失败".to_owned()))?;
        Ok(CheckCommand {
            result,
            evidence: evidence.to_owned(),
            consequence,
        })
    }
}

// --- check rules ---------------------------------------------------------------------------

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BandInput {
    pub min_score: i64,
    pub max_score: i64,
    #[serde(default)]
    pub exempt: bool,
    /// `data_comparison`, `on_site`, `document_check`; none when exempt.
    pub method: Option<String>,
    #[serde(default)]
    pub within_wd: i64,
    /// Share checked, per mille (1000 = all).
    #[serde(default)]
    pub sample_permille: i64,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = CommitmentRuleInput)]
pub struct RuleInput {
    /// The department that carries out the checks (审管衔接).
    pub supervising_org_id: i64,
    /// 核查标准.
    pub standard: String,
    pub bands: Vec<BandInput>,
}

/// A new rule version, checked: bands cover every score once.
#[derive(Debug, Clone)]
pub struct RuleCommand {
    pub supervising_org_id: i64,
    /// Trimmed.
    pub standard: String,
    pub bands: Vec<RuleBand>,
}

impl RuleInput {
    pub fn parse(&self) -> AppResult<RuleCommand> {
        let mut p = Problems::default();
        let n = self.standard.trim().chars().count();
        if n == 0 {
            p.add("standard", "核查标准不能为空");
        } else if n > 5000 {
            p.add("standard", "核查标准不能超过5000字");
        }
        let bands = match parse_bands(&self.bands) {
            Ok(b) => Some(b),
            Err(errs) => {
                p.0.extend(errs);
                None
            }
        };
        p.into_result()?;
        let bands = bands.ok_or_else(|| AppError::Internal("校验失败".to_owned()))?;
        Ok(RuleCommand {
            supervising_org_id: self.supervising_org_id,
            standard: self.standard.trim().to_owned(),
            bands,
        })
    }
}

/// The bands as rules, or every problem (field `bands[i].…` or `bands`).
pub fn parse_bands(input: &[BandInput]) -> Result<Vec<RuleBand>, Vec<FieldError>> {
    let mut errs = vec![];
    if input.len() > 20 {
        errs.push(FieldError::new("bands", "核查规则最多20档"));
        return Err(errs);
    }
    let mut out = vec![];
    for (i, b) in input.iter().enumerate() {
        let method = match b.method.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
            None => None,
            Some(m) => match CheckMethod::parse(m) {
                Some(m) => Some(m),
                None => {
                    errs.push(FieldError::new(
                        format!("bands[{i}].method"),
                        format!(
                            "核查方式“{}”无效（data_comparison 数据比对、on_site 现场核查、document_check 书面核查）",
                            m.chars().take(40).collect::<String>()
                        ),
                    ));
                    None
                }
            },
        };
        out.push(RuleBand {
            min_score: b.min_score,
            max_score: b.max_score,
            exempt: b.exempt,
            method,
            within_wd: b.within_wd,
            sample_permille: b.sample_permille,
        });
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    let problems = band_problems(&out);
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems
            .into_iter()
            .map(|m| FieldError::new("bands", m))
            .collect())
    }
}

// --- templates -----------------------------------------------------------------------------

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
#[schema(as = CommitmentTemplateInput)]
pub struct TemplateInput {
    pub obligation: String,
    pub content: String,
    pub checks: String,
    pub cooperation: String,
    pub liability: String,
    #[serde(default)]
    pub publish_letters: bool,
}

pub(crate) const MAX_TEXT: usize = 5000;

/// A template's texts, checked and trimmed.
#[derive(Debug, Clone)]
pub struct TemplateCommand {
    pub obligation: String,
    pub content: String,
    pub checks: String,
    pub cooperation: String,
    pub liability: String,
    pub publish_letters: bool,
}

impl TemplateInput {
    pub fn parse(&self) -> AppResult<TemplateCommand> {
        let mut p = Problems::default();
        for (field, v, label) in [
            ("obligation", &self.obligation, "证明义务"),
            ("content", &self.content, "承诺内容"),
            ("checks", &self.checks, "核查方式说明"),
            ("cooperation", &self.cooperation, "配合核查义务"),
            ("liability", &self.liability, "不实承诺的法律责任"),
        ] {
            let n = v.trim().chars().count();
            if n == 0 {
                p.add(field, format!("{label}不能为空"));
            } else if n > MAX_TEXT {
                p.add(field, format!("{label}不能超过{MAX_TEXT}字"));
            }
        }
        p.into_result()?;
        Ok(TemplateCommand {
            obligation: self.obligation.trim().to_owned(),
            content: self.content.trim().to_owned(),
            checks: self.checks.trim().to_owned(),
            cooperation: self.cooperation.trim().to_owned(),
            liability: self.liability.trim().to_owned(),
            publish_letters: self.publish_letters,
        })
    }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = CommitmentReviewInput)]
pub struct ReviewInput {
    /// `approve` or `return`.
    pub verdict: String,
    #[serde(default)]
    pub remarks: String,
}

/// A legal review, checked.
#[derive(Debug, Clone)]
pub struct ReviewCommand {
    pub verdict: ReviewVerdict,
    /// Trimmed.
    pub remarks: String,
}

impl ReviewInput {
    pub fn parse(&self) -> AppResult<ReviewCommand> {
        let verdict = ReviewVerdict::parse(&self.verdict).ok_or_else(|| {
            AppError::field(
                "verdict",
                format!(
                    "审查结论应为 approve（通过）或 return（退回），收到“{}”",
                    self.verdict.trim()
                ),
            )
        })?;
        if verdict == ReviewVerdict::Return && self.remarks.trim().is_empty() {
            return Err(AppError::field("remarks", "退回须写明理由"));
        }
        if self.remarks.chars().count() > MAX_TEXT {
            return Err(AppError::field("remarks", "审查意见不能超过5000字"));
        }
        Ok(ReviewCommand {
            verdict,
            remarks: self.remarks.trim().to_owned(),
        })
    }
}

/// A stage filter (`stage=` of the template list); empty means every stage.
pub fn parse_stage(stage: Option<&str>) -> AppResult<Option<TemplateStage>> {
    match stage.filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => TemplateStage::ALL
            .iter()
            .copied()
            .find(|t| t.as_str() == s)
            .map(Some)
            .ok_or_else(|| AppError::field("stage", format!("状态“{s}”无效"))),
    }
}

// --- figures -------------------------------------------------------------------------------

#[derive(Debug, Clone, Deserialize, utoipa::IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct FigureQuery {
    /// `item` (default), `unit` or `month`.
    pub by: Option<String>,
}

impl FigureQuery {
    pub fn parse(&self) -> AppResult<FigureGrouping> {
        match self.by.as_deref().unwrap_or("item") {
            "item" => Ok(FigureGrouping::Item),
            "unit" => Ok(FigureGrouping::Unit),
            "month" => Ok(FigureGrouping::Month),
            other => Err(AppError::field(
                "by",
                format!("分组应为 item（事项）、unit（单位）或 month（月份），收到“{other}”"),
            )),
        }
    }
}
