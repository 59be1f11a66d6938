//! The raw inputs of the complaint workflow, each with a `parse` naming every bad field in
//! Chinese (`Problems`).

use proofless_domain::complaint::{
    Channel, Filled, Form, Ground, Receiver, RejectGround, Satisfaction, TerminateGround,
    normalise_phone, registration_problems,
};
use proofless_domain::deadline::Period;
use serde::Deserialize;

use crate::error::{AppError, AppResult, Problems};

/// Trimmed text of at most `max` characters without control characters; `None` if blank.
fn text(p: &mut Problems, field: &str, v: Option<&str>, max: usize) -> Option<String> {
    let v = v.map(str::trim).filter(|s| !s.is_empty())?;
    if v.chars().count() > max {
        p.add(field, format!("不能超过{max}个字"));
        return None;
    }
    if v.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        p.add(field, "含有不可见的控制字符");
        return None;
    }
    Some(v.to_owned())
}

fn pick<T: Copy>(
    p: &mut Problems,
    field: &str,
    v: &str,
    parse: fn(&str) -> Option<T>,
    what: &str,
) -> Option<T> {
    let r = parse(v.trim());
    if r.is_none() {
        p.add(
            field,
            format!(
                "{what}“{}”不存在",
                v.trim().chars().take(40).collect::<String>()
            ),
        );
    }
    r
}

fn phone(p: &mut Problems, v: Option<&str>) -> Option<String> {
    let raw = v.map(str::trim).filter(|s| !s.is_empty())?;
    let n = normalise_phone(raw);
    if n.is_none() {
        p.add("phone", "联系电话格式不正确（7–15位数字）");
    }
    n
}

/// A complaint to register, checked (A4 §5–§7, §10).
#[derive(Debug, Clone)]
pub struct NewComplaint {
    pub receiver: Option<Receiver>,
    pub channel: Channel,
    pub form: Form,
    pub anonymous: bool,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub agent_name: Option<String>,
    pub agent_authorisation: Option<String>,
    pub agency_org_id: Option<i64>,
    pub agency_name: Option<String>,
    pub ground: Ground,
    pub request: String,
    pub reasons: String,
    pub proof_item_id: Option<i64>,
    pub service_item_id: Option<i64>,
    pub proof_name: Option<String>,
    pub work_order_no: Option<String>,
}

/// The fields every intake shares, before the A4 rules are applied.
struct Raw<'a> {
    receiver: Option<&'a str>,
    channel: &'a str,
    form: &'a str,
    anonymous: bool,
    name: Option<&'a str>,
    phone: Option<&'a str>,
    agent_name: Option<&'a str>,
    agent_authorisation: Option<&'a str>,
    agency_org_id: Option<i64>,
    agency_name: Option<&'a str>,
    ground: &'a str,
    request: &'a str,
    reasons: &'a str,
    proof_item_id: Option<i64>,
    service_item_id: Option<i64>,
    proof_name: Option<&'a str>,
    work_order_no: Option<&'a str>,
}

fn parse_raw(r: &Raw<'_>) -> AppResult<NewComplaint> {
    let mut p = Problems::default();
    let receiver = r
        .receiver
        .filter(|s| !s.trim().is_empty())
        .and_then(|s| pick(&mut p, "receiver", s, Receiver::parse, "受理机构"));
    let channel = pick(&mut p, "channel", r.channel, Channel::parse, "投诉渠道");
    let form = pick(&mut p, "form", r.form, Form::parse, "投诉形式");
    let ground = pick(&mut p, "ground", r.ground, Ground::parse, "投诉事由");
    let name = text(&mut p, "name", r.name, 50);
    let phone = phone(&mut p, r.phone);
    let agent_name = text(&mut p, "agent_name", r.agent_name, 50);
    let agent_authorisation = text(&mut p, "agent_authorisation", r.agent_authorisation, 500);
    let agency_name = text(&mut p, "agency", r.agency_name, 100);
    let request = text(&mut p, "request", Some(r.request), 2000);
    let reasons = text(&mut p, "reasons", Some(r.reasons), 5000);
    let proof_name = text(&mut p, "proof_name", r.proof_name, 200);
    let work_order_no = text(&mut p, "work_order_no", r.work_order_no, 64);
    if let (Some(channel), Some(form)) = (channel, form) {
        let filled = Filled {
            anonymous: r.anonymous,
            name: name.is_some(),
            phone: phone.is_some() || p.0.iter().any(|e| e.field == "phone"),
            agency: r.agency_org_id.is_some() || agency_name.is_some(),
            request: request.is_some() || p.0.iter().any(|e| e.field == "request"),
            reasons: reasons.is_some() || p.0.iter().any(|e| e.field == "reasons"),
            agent_name: agent_name.is_some(),
            agent_authorisation: agent_authorisation.is_some(),
        };
        for (f, m) in registration_problems(channel, form, &filled) {
            p.add(f, m);
        }
    }
    p.into_result()?;
    let (Some(channel), Some(form), Some(ground), Some(request)) = (channel, form, ground, request)
    else {
        return Err(AppError::Internal("校验失败".into()));
    };
    let anonymous = r.anonymous;
    Ok(NewComplaint {
        receiver,
        channel,
        form,
        anonymous,
        // An anonymous complaint keeps no contact, even one given by mistake.
        name: name.filter(|_| !anonymous),
        phone: phone.filter(|_| !anonymous),
        agent_name,
        agent_authorisation,
        agency_org_id: r.agency_org_id,
        agency_name,
        ground,
        request,
        reasons: reasons.unwrap_or_default(),
        proof_item_id: r.proof_item_id,
        service_item_id: r.service_item_id,
        proof_name,
        work_order_no,
    })
}

/// A complaint registered by a receiver's staff (or by an agency about itself).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
#[schema(as = ComplaintRegisterInput)]
pub struct RegisterInput {
    /// `hotline`, `window`, `justice` or `agency`; by default the actor's own receiver role.
    pub receiver: Option<String>,
    /// `letter`, `fax`, `sms`, `email`, `platform`, `hotline_12345`, `special_window`,
    /// `ministry_platform`, `enforcement_supervision`, `in_person`, `agent`.
    pub channel: String,
    /// `oral` or `written`.
    pub form: String,
    #[serde(default)]
    pub anonymous: bool,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub agent_name: Option<String>,
    /// The entrusted agent's authorisation (its number or description).
    pub agent_authorisation: Option<String>,
    pub agency_org_id: Option<i64>,
    /// `proof_demanded`, `list_not_followed`, `not_checked_in_time`, `out_of_city_refused`, `other`.
    pub ground: String,
    pub request: String,
    #[serde(default)]
    pub reasons: String,
    pub proof_item_id: Option<i64>,
    pub service_item_id: Option<i64>,
    /// The proof concerned by name, matched to the catalogue when no id is given.
    pub proof_name: Option<String>,
}

impl RegisterInput {
    pub fn parse(&self) -> AppResult<NewComplaint> {
        parse_raw(&Raw {
            receiver: self.receiver.as_deref(),
            channel: &self.channel,
            form: &self.form,
            anonymous: self.anonymous,
            name: self.name.as_deref(),
            phone: self.phone.as_deref(),
            agent_name: self.agent_name.as_deref(),
            agent_authorisation: self.agent_authorisation.as_deref(),
            agency_org_id: self.agency_org_id,
            agency_name: None,
            ground: &self.ground,
            request: &self.request,
            reasons: &self.reasons,
            proof_item_id: self.proof_item_id,
            service_item_id: self.service_item_id,
            proof_name: self.proof_name.as_deref(),
            work_order_no: None,
        })
    }
}

/// A complaint through the public form (the complaint platform, written).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct PublicInput {
    /// `hotline`, `window` or `justice` (default `window`).
    pub receiver: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub agency_org_id: Option<i64>,
    pub ground: String,
    pub request: String,
    #[serde(default)]
    pub reasons: String,
    pub proof_name: Option<String>,
    /// The form's CSRF field (ignored here; checked by the web layer).
    pub csrf: Option<String>,
}

impl PublicInput {
    pub fn parse(&self) -> AppResult<NewComplaint> {
        let mut c = parse_raw(&Raw {
            receiver: self.receiver.as_deref().or(Some("window")),
            channel: "platform",
            form: "written",
            anonymous: false,
            name: self.name.as_deref(),
            phone: self.phone.as_deref(),
            agent_name: None,
            agent_authorisation: None,
            agency_org_id: self.agency_org_id,
            agency_name: None,
            ground: &self.ground,
            request: &self.request,
            reasons: &self.reasons,
            proof_item_id: None,
            service_item_id: None,
            proof_name: self.proof_name.as_deref(),
            work_order_no: None,
        })?;
        if c.receiver == Some(Receiver::Agency) {
            return Err(AppError::field(
                "receiver",
                "请选择12345热线、“无证明”专窗或县司法局",
            ));
        }
        c.receiver = c.receiver.or(Some(Receiver::Window));
        Ok(c)
    }
}

/// A 12345 work order (the hotline platform's intake API).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct WorkOrderInput {
    /// The platform's work-order number: the same number registers once.
    pub work_order_no: String,
    /// `oral` (a call, default) or `written`.
    pub form: Option<String>,
    #[serde(default)]
    pub anonymous: bool,
    pub name: Option<String>,
    pub phone: Option<String>,
    /// The agency complained about, by its name.
    pub agency: String,
    pub ground: String,
    pub content: String,
    #[serde(default)]
    pub reasons: String,
    pub proof_name: Option<String>,
}

impl WorkOrderInput {
    pub fn parse(&self) -> AppResult<NewComplaint> {
        let mut p = Problems::default();
        if self.work_order_no.trim().is_empty() {
            p.add("work_order_no", "工单编号不能为空");
        }
        if self.agency.trim().is_empty() {
            p.add("agency", "须写明被投诉的单位");
        }
        p.into_result()?;
        parse_raw(&Raw {
            receiver: Some("hotline"),
            channel: "hotline_12345",
            form: self.form.as_deref().unwrap_or("oral"),
            anonymous: self.anonymous,
            name: self.name.as_deref(),
            phone: self.phone.as_deref(),
            agent_name: None,
            agent_authorisation: None,
            agency_org_id: None,
            agency_name: Some(&self.agency),
            ground: &self.ground,
            request: &self.content,
            reasons: &self.reasons,
            proof_item_id: None,
            service_item_id: None,
            proof_name: self.proof_name.as_deref(),
            work_order_no: Some(&self.work_order_no),
        })
    }
}

/// Acceptance (A4 §8): the handling unit, and whether it may see who complained.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct AcceptInput {
    /// The handling unit: the receiver's own unit or the agency complained about (default).
    pub handling_org_id: Option<i64>,
    /// The agency complained about may see the complainant's name and phone.
    #[serde(default)]
    pub identity_needed: bool,
    pub csrf: Option<String>,
}

/// Non-acceptance with its ground (A4 §8); the complainant is told why.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct RejectInput {
    /// `too_vague`, `repeated_malicious`, `other_proceedings`, `other`.
    pub ground: String,
    #[serde(default)]
    pub note: String,
    pub csrf: Option<String>,
}

impl RejectInput {
    pub fn parse(&self) -> AppResult<(RejectGround, String)> {
        let mut p = Problems::default();
        let g = pick(
            &mut p,
            "ground",
            &self.ground,
            RejectGround::parse,
            "不予受理情形",
        );
        let note = text(&mut p, "note", Some(&self.note), 1000).unwrap_or_default();
        if g == Some(RejectGround::Other) && note.is_empty() {
            p.add("note", "“其他”情形须写明不予受理的理由");
        }
        p.into_result()?;
        Ok((
            g.ok_or_else(|| AppError::Internal("校验失败".into()))?,
            note,
        ))
    }
}

/// The later receiver links its complaint to the first receiver's (A4 §9).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct LinkInput {
    pub first_id: i64,
    pub csrf: Option<String>,
}

/// An extension applied for by the handling unit (A4 §10).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ExtensionInput {
    /// e.g. `3wd`; all extensions together at most 5 working days.
    pub period: String,
    pub reason: String,
    pub csrf: Option<String>,
}

impl ExtensionInput {
    pub fn parse(&self) -> AppResult<(Period, String)> {
        let mut p = Problems::default();
        let period = Period::parse(self.period.trim())
            .map_err(|e| p.add("period", e.to_string()))
            .ok();
        let reason = text(&mut p, "reason", Some(&self.reason), 500);
        if reason.is_none() && !p.0.iter().any(|e| e.field == "reason") {
            p.add("reason", "须写明延期理由（案情复杂的情形）");
        }
        p.into_result()?;
        match (period, reason) {
            (Some(a), Some(b)) => Ok((a, b)),
            _ => Err(AppError::Internal("校验失败".into())),
        }
    }
}

/// The receiver's decision on an extension.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ExtensionDecision {
    pub approve: bool,
    pub csrf: Option<String>,
}

/// Termination (A4 §11).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct TerminateInput {
    /// `withdrawn`, `other_proceedings`, `other`.
    pub ground: String,
    #[serde(default)]
    pub note: String,
    pub csrf: Option<String>,
}

impl TerminateInput {
    pub fn parse(&self) -> AppResult<(TerminateGround, String)> {
        let mut p = Problems::default();
        let g = pick(
            &mut p,
            "ground",
            &self.ground,
            TerminateGround::parse,
            "终止情形",
        );
        let note = text(&mut p, "note", Some(&self.note), 1000).unwrap_or_default();
        if g == Some(TerminateGround::Other) && note.is_empty() {
            p.add("note", "“其他”情形须写明终止的理由");
        }
        p.into_result()?;
        Ok((
            g.ok_or_else(|| AppError::Internal("校验失败".into()))?,
            note,
        ))
    }
}

/// The handling unit's result (A4 §10): facts found, upheld or not, measures.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
#[schema(as = ComplaintResultInput)]
pub struct ResultInput {
    pub facts: String,
    pub upheld: bool,
    #[serde(default)]
    pub measures: String,
    pub csrf: Option<String>,
}

impl ResultInput {
    pub fn parse(&self) -> AppResult<(String, bool, String)> {
        let mut p = Problems::default();
        let facts = text(&mut p, "facts", Some(&self.facts), 5000);
        if facts.is_none() && !p.0.iter().any(|e| e.field == "facts") {
            p.add("facts", "须写明查明的事实");
        }
        let measures = text(&mut p, "measures", Some(&self.measures), 5000).unwrap_or_default();
        if self.upheld && measures.is_empty() {
            p.add("measures", "投诉属实的，须写明处理措施");
        }
        p.into_result()?;
        Ok((facts.unwrap_or_default(), self.upheld, measures))
    }
}

/// The complainant's receipt number and phone: the tracking page's key (no account).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, utoipa::IntoParams, Default)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TrackInput {
    pub receipt_no: String,
    pub phone: String,
    pub csrf: Option<String>,
}

impl TrackInput {
    pub fn parse(&self) -> AppResult<(String, String)> {
        let mut p = Problems::default();
        let r = self.receipt_no.trim();
        if r.is_empty() || r.len() > 32 || !r.bytes().all(|b| b.is_ascii_alphanumeric()) {
            p.add("receipt_no", "受理编号格式不正确");
        }
        let phone = phone(&mut p, Some(&self.phone));
        if phone.is_none() && !p.0.iter().any(|e| e.field == "phone") {
            p.add("phone", "请输入投诉时留下的联系电话");
        }
        p.into_result()?;
        Ok((r.to_uppercase(), phone.unwrap_or_default()))
    }
}

/// The complainant's answer to the result (A4 §10).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct SatisfactionInput {
    pub receipt_no: String,
    pub phone: String,
    /// `satisfied`, `basic`, `unsatisfied`.
    pub answer: String,
    pub csrf: Option<String>,
}

impl SatisfactionInput {
    pub fn parse(&self) -> AppResult<(String, String, Satisfaction)> {
        let mut p = Problems::default();
        let a = pick(&mut p, "answer", &self.answer, Satisfaction::parse, "评价");
        let key = p.collect(
            TrackInput {
                receipt_no: self.receipt_no.clone(),
                phone: self.phone.clone(),
                csrf: None,
            }
            .parse(),
        )?;
        p.into_result()?;
        match (key, a) {
            (Some((r, ph)), Some(a)) => Ok((r, ph, a)),
            _ => Err(AppError::Internal("校验失败".into())),
        }
    }
}

/// Where the 12345 platform wants results pushed, and the key they are signed with.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct HotlineLinkInput {
    pub callback_url: String,
    /// At least 16 characters; the platform verifies `X-Signature` with it (HMAC-SM3).
    pub secret: String,
}

impl HotlineLinkInput {
    pub fn parse(&self) -> AppResult<(String, String)> {
        let mut p = Problems::default();
        let url = self.callback_url.trim();
        match reqwest::Url::parse(url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
            _ => p.add("callback_url", "回调地址须是 http(s) 网址"),
        }
        if self.secret.chars().count() < 16 || self.secret.chars().count() > 200 {
            p.add("secret", "签名密钥须为16到200个字符");
        }
        p.into_result()?;
        Ok((url.to_owned(), self.secret.clone()))
    }
}

/// Which complaints a list shows.
#[derive(Debug, Clone, Deserialize, utoipa::IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct ListFilter {
    /// A state, e.g. `registered`.
    pub state: Option<String>,
    /// 1-based.
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// Which figures: a year (`2026`) or a month (`2026-12`), grouped by a dimension.
#[derive(Debug, Clone, Deserialize, utoipa::IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct FigureQuery {
    pub period: Option<String>,
    /// `receiver`, `channel`, `ground`, `agency`, `proof`, `month`.
    pub by: Option<String>,
    /// The hot spots' dimension: `agency`, `ground` or `proof` (the figures page's chart).
    pub hot: Option<String>,
}
