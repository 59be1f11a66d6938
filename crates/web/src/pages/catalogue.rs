//! Catalogue pages: the public search, item, service item, version and diff pages (no
//! login), and the staff pages for unit admins, the justice bureau and the joint office.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use proofless_app::adjustment::{self, Comment, PublicMark};
use proofless_app::catalogue::draft;
use proofless_app::catalogue::input::{
    ApproveInput, ItemFilter, PrepareInput, PublishInput, ReviewInput, SearchParams,
};
use proofless_app::catalogue::items::{self, ProofItem};
use proofless_app::catalogue::lists::{self, ListVersion, VersionDetail, VersionDiff};
use proofless_app::catalogue::public::{self, PublicItem, ServiceProofs};
use proofless_app::catalogue::review;
use proofless_app::commitment::templates::{self, Template as CommitmentTemplate};
use proofless_app::{Actor, AppError};
use proofless_domain::catalogue::{CatalogueLevel, Disposition, ReplacementMethod, Stage, Verdict};
use proofless_domain::role::Role;
use serde::Deserialize;

use super::forms::{FormErrors, Kept};
use super::session::{page_error, require_staff};
use super::{Hx, Layout, WithFragment, render, render_page};
use crate::AppState;
use crate::ctx::Ctx;

fn levels() -> Vec<(&'static str, &'static str)> {
    CatalogueLevel::ALL
        .iter()
        .map(|l| (l.as_str(), l.label()))
        .collect()
}

fn methods() -> Vec<(&'static str, &'static str)> {
    ReplacementMethod::ALL
        .iter()
        .map(|m| (m.as_str(), m.label()))
        .collect()
}

#[derive(Deserialize, Default)]
pub struct SearchForm {
    q: Option<String>,
    level: Option<String>,
    method: Option<String>,
    region: Option<String>,
    offset: Option<i64>,
}

#[derive(Template)]
#[template(path = "proofs.html")]
struct ProofsPage {
    layout: Layout,
    q: String,
    level: String,
    method: String,
    levels: Vec<(&'static str, &'static str)>,
    methods: Vec<(&'static str, &'static str)>,
    results: ProofsResults,
}

impl WithFragment for ProofsPage {
    type Fragment = ProofsResults;
    fn fragment(&self) -> &ProofsResults {
        &self.results
    }
}

#[derive(Template)]
#[template(path = "proofs_results.html")]
struct ProofsResults {
    q: String,
    items: Vec<Arc<PublicItem>>,
    total: usize,
    truncated: bool,
    next_url: Option<String>,
    error: String,
    /// Items of the page under adjustment or adjusted (A3 §9, §11), by item id.
    marks: std::collections::HashMap<i64, PublicMark>,
    /// Cancelled items matching the query: still findable (A3 §11).
    cancelled: Vec<PublicMark>,
    /// When nothing is found: published items near the query (issue #22 §2).
    near: Vec<Arc<PublicItem>>,
    /// When nothing is found: synonym pairs the query may have meant.
    related: Vec<Related>,
    /// The query as a parameter, for the item links (`← 返回查询` keeps it).
    back: String,
}

impl ProofsResults {
    fn mark(&self, id: &i64) -> Option<&PublicMark> {
        self.marks.get(id)
    }
}

/// A synonym pair suggested when nothing is found: the list's word and its search.
struct Related {
    term: String,
    canonical: String,
    href: String,
}

/// The search's parameters as an item page takes them back (`?q=…&level=…&method=…`).
fn back_query(f: &SearchForm) -> String {
    let mut parts = vec![];
    for (k, v) in [("q", &f.q), ("level", &f.level), ("method", &f.method)] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            parts.push(format!("{k}={}", enc(v)));
        }
    }
    parts.join("&")
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The results for the search form's values; an invalid value shows as an error.
async fn results(s: &AppState, f: &SearchForm) -> ProofsResults {
    let p = SearchParams {
        q: f.q.clone(),
        level: f.level.clone(),
        method: f.method.clone(),
        region: f.region.clone(),
        offset: f.offset,
        limit: Some(20),
        ..SearchParams::default()
    };
    let q = f.q.clone().unwrap_or_default();
    match adjustment::radar::search(&s.app, &p).await {
        Ok(r) => {
            let mut marks = std::collections::HashMap::new();
            for i in &r.items {
                if let Ok(Some(m)) = adjustment::publication::public_mark(&s.app, i.id).await {
                    marks.insert(i.id, m);
                }
            }
            let cancelled = adjustment::publication::cancelled_matching(&s.app, &q)
                .await
                .unwrap_or_default()
                .into_iter()
                .filter(|m| !marks.contains_key(&m.proof_item_id))
                .collect();
            let next_url = r.next_cursor.as_ref().map(|c| {
                format!(
                    "/proofs?q={}&level={}&method={}&offset={c}",
                    enc(f.q.as_deref().unwrap_or("")),
                    enc(f.level.as_deref().unwrap_or("")),
                    enc(f.method.as_deref().unwrap_or(""))
                )
            });
            let (near, related) = if r.total == 0 && !q.trim().is_empty() {
                (
                    public::near_matches(&s.app, &q, 5)
                        .await
                        .unwrap_or_default(),
                    proofless_app::catalogue::synonyms::related(&s.app, &q)
                        .await
                        .unwrap_or_default()
                        .into_iter()
                        .map(|(term, canonical)| Related {
                            href: format!("/proofs?q={}", enc(&canonical)),
                            term,
                            canonical,
                        })
                        .collect(),
                )
            } else {
                (vec![], vec![])
            };
            ProofsResults {
                q,
                items: r.items,
                total: r.total,
                truncated: r.truncated,
                next_url,
                error: String::new(),
                marks,
                cancelled,
                near,
                related,
                back: back_query(f),
            }
        }
        Err(e) => ProofsResults {
            q,
            items: vec![],
            total: 0,
            truncated: false,
            next_url: None,
            error: crate::error::ApiError::from(e).detail,
            marks: Default::default(),
            cancelled: vec![],
            near: vec![],
            related: vec![],
            back: back_query(f),
        },
    }
}

/// The public search page; works as a plain GET form without JavaScript. htmx asks for
/// the same address while the citizen types and gets the results alone.
pub async fn search_page(
    State(s): State<AppState>,
    ctx: Ctx,
    hx: Hx,
    Query(f): Query<SearchForm>,
) -> Response {
    let page = ProofsPage {
        layout: Layout::new("证明事项查询", &ctx, "/proofs"),
        q: f.q.clone().unwrap_or_default(),
        level: f.level.clone().unwrap_or_default(),
        method: f.method.clone().unwrap_or_default(),
        levels: levels(),
        methods: methods(),
        results: results(&s, &f).await,
    };
    render_page(hx, StatusCode::OK, &page)
}

/// The results fragment by its old address, kept for existing links.
pub async fn search_results(State(s): State<AppState>, Query(f): Query<SearchForm>) -> Response {
    render(StatusCode::OK, &results(&s, &f).await)
}

#[derive(Template)]
#[template(path = "proof_item.html")]
struct ItemPage {
    layout: Layout,
    item: Arc<PublicItem>,
    /// The published commitment template, for an item replaced by commitment.
    template: Option<CommitmentTemplate>,
    /// Its adjustment, if any: "调整中" with the interim method, or the change in effect.
    mark: Option<PublicMark>,
    /// The public's comments the joint office answered (A3 §12).
    comments: Vec<Comment>,
    message: String,
    /// `?q=…` of the search the citizen came from (issue #22 §2), or empty.
    back: String,
}

/// A cancelled item no longer in the current list: still findable (A3 §11).
#[derive(Template)]
#[template(path = "adjustment_cancelled.html")]
struct CancelledPage {
    layout: Layout,
    mark: PublicMark,
    /// The item the public's comments are about: someone still asked for a cancelled proof
    /// says so here (A3 §12).
    item: CancelledItem,
    comments: Vec<Comment>,
    message: String,
}

struct CancelledItem {
    id: i64,
}

#[derive(Deserialize, Default)]
pub struct ItemMsg {
    msg: Option<String>,
    /// The search the citizen came from, kept for `← 返回查询`.
    q: Option<String>,
    level: Option<String>,
    method: Option<String>,
}

pub async fn item_page(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(m): Query<ItemMsg>,
) -> Response {
    let back = back_query(&SearchForm {
        q: m.q.clone(),
        level: m.level.clone(),
        method: m.method.clone(),
        ..SearchForm::default()
    });
    let mark = match adjustment::publication::public_mark(&s.app, id).await {
        Ok(m) => m,
        Err(e) => return page_error(&ctx, e, "/proofs"),
    };
    let item = match public::item(&s.app, id).await {
        Ok(item) => item,
        Err(AppError::NotFound(_)) if mark.as_ref().is_some_and(PublicMark::is_cancelled) => {
            if let Some(mark) = mark {
                let comments = match adjustment::voice::answered(&s.app, id).await {
                    Ok(c) => c,
                    Err(e) => return page_error(&ctx, e, "/proofs"),
                };
                return render(
                    StatusCode::OK,
                    &CancelledPage {
                        layout: Layout::new(&mark.item_name, &ctx, "/proofs"),
                        mark,
                        item: CancelledItem { id },
                        comments,
                        message: m.msg.clone().unwrap_or_default(),
                    },
                );
            }
            return page_error(
                &ctx,
                AppError::NotFound(format!("证明事项 {id}")),
                "/proofs",
            );
        }
        Err(e) => return page_error(&ctx, e, "/proofs"),
    };
    let comments = match adjustment::voice::answered(&s.app, id).await {
        Ok(c) => c,
        Err(e) => return page_error(&ctx, e, "/proofs"),
    };
    // R4.1: the commitment template is read before applying, on the item's own page.
    let template = if item.methods.contains(&ReplacementMethod::Commitment) {
        match templates::published_for_item(&s.app, id).await {
            Ok(t) => Some(t),
            Err(AppError::NotFound(_)) => None,
            Err(e) => return page_error(&ctx, e, "/proofs"),
        }
    } else {
        None
    };
    render(
        StatusCode::OK,
        &ItemPage {
            layout: Layout::new(&item.name, &ctx, "/proofs"),
            item,
            template,
            mark,
            comments,
            message: m.msg.unwrap_or_default(),
            back,
        },
    )
}

#[derive(Template)]
#[template(path = "proof_service.html")]
struct ServicePage {
    layout: Layout,
    data: ServiceProofs,
}

pub async fn service_page(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Response {
    match public::service_proofs(&s.app, &code).await {
        Ok(data) => render(
            StatusCode::OK,
            &ServicePage {
                layout: Layout::new(&data.service_item.name, &ctx, "/proofs"),
                data,
            },
        ),
        Err(e) => page_error(&ctx, e, "/proofs"),
    }
}

#[derive(Template)]
#[template(path = "proof_versions.html")]
struct VersionsPage {
    layout: Layout,
    versions: Vec<ListVersion>,
}

pub async fn versions_page(State(s): State<AppState>, ctx: Ctx) -> Response {
    match lists::versions(&s.app, &Actor::anonymous(ctx.op()), false).await {
        Ok(versions) => render(
            StatusCode::OK,
            &VersionsPage {
                layout: Layout::new("清单版本", &ctx, "/proofs"),
                versions,
            },
        ),
        Err(e) => page_error(&ctx, e, "/proofs"),
    }
}

#[derive(Template)]
#[template(path = "proof_version.html")]
struct VersionPage {
    layout: Layout,
    v: VersionDetail,
    stage_label: &'static str,
    /// The adjustments this version gathered, with their grounds (A3 §5).
    adjustments: Vec<PublicMark>,
}

pub async fn version_page(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Response {
    match lists::get_version(&s.app, &ctx.actor, id).await {
        Ok(v) => {
            let stage_label = v.version.stage.label();
            let adjustments = adjustment::publication::of_version(&s.app, id)
                .await
                .unwrap_or_default();
            render(
                StatusCode::OK,
                &VersionPage {
                    layout: Layout::new(&v.version.title, &ctx, "/proofs"),
                    v,
                    stage_label,
                    adjustments,
                },
            )
        }
        Err(AppError::Unauthenticated) => page_error(
            &ctx,
            AppError::NotFound("清单版本".to_owned()),
            "/proofs/versions",
        ),
        Err(e) => page_error(&ctx, e, "/proofs/versions"),
    }
}

#[derive(Deserialize)]
pub struct DiffForm {
    from: i64,
    to: i64,
}

#[derive(Template)]
#[template(path = "proof_diff.html")]
struct DiffPage {
    layout: Layout,
    d: VersionDiff,
    /// The adjustments the newer version gathered, with their grounds (A3 §5).
    adjustments: Vec<PublicMark>,
}

pub async fn diff_page(State(s): State<AppState>, ctx: Ctx, Query(f): Query<DiffForm>) -> Response {
    match lists::diff_versions(&s.app, &ctx.actor, f.from, f.to).await {
        Ok(d) => render(
            StatusCode::OK,
            &DiffPage {
                layout: Layout::new("清单调整对比", &ctx, "/proofs"),
                d,
                adjustments: adjustment::publication::of_version(&s.app, f.to)
                    .await
                    .unwrap_or_default(),
            },
        ),
        Err(AppError::Unauthenticated) => page_error(
            &ctx,
            AppError::NotFound("清单版本".to_owned()),
            "/proofs/versions",
        ),
        Err(e) => page_error(&ctx, e, "/proofs/versions"),
    }
}

// ---- staff ----

#[derive(Template)]
#[template(path = "catalogue_staff.html")]
struct StaffPage {
    layout: Layout,
    heading: &'static str,
    message: String,
    show_items: bool,
    review_mode: bool,
    items: Vec<ProofItem>,
    show_prepare: bool,
    can_approve: bool,
    can_publish: bool,
    regions: Vec<(String, String)>,
    versions: Vec<ListVersion>,
    /// A refused review, summary, approval or publication: errors by their inputs, what was
    /// typed (issue #22 point 3).
    errors: FormErrors,
    kept: Kept,
}

impl StaffPage {
    /// The id of input `name` of row `id` (`doc-7`, `date-7`, `remarks-7`).
    fn fid(&self, name: &str, id: &i64) -> String {
        format!("{name}-{id}")
    }

    fn new(ctx: &Ctx, heading: &'static str, path: &str) -> StaffPage {
        StaffPage {
            layout: Layout::new(heading, ctx, path),
            heading,
            message: String::new(),
            show_items: false,
            review_mode: false,
            items: vec![],
            show_prepare: false,
            can_approve: false,
            can_publish: false,
            regions: vec![],
            versions: vec![],
            errors: FormErrors::none(),
            kept: Kept::none(),
        }
    }
}

#[derive(Deserialize, Default)]
pub struct Msg {
    msg: Option<String>,
}

/// The unit admin's items (their own unit's; county-wide roles see all).
pub async fn items_page(State(s): State<AppState>, ctx: Ctx, Query(m): Query<Msg>) -> Response {
    if let Err(e) = require_staff(&ctx) {
        return page_error(&ctx, e, "/");
    }
    match items::list(&s.app, &ctx.actor, &ItemFilter::default()).await {
        Ok(items) => {
            let mut p = StaffPage::new(&ctx, "本单位证明事项", "/catalogue/items");
            p.items = items;
            p.show_items = true;
            p.message = m.msg.unwrap_or_default();
            render(StatusCode::OK, &p)
        }
        Err(e) => page_error(&ctx, e, "/workbench"),
    }
}

pub async fn submit_item(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Response {
    match draft::submit(&s.app, &ctx.actor, id).await {
        Ok(_) => Redirect::to("/catalogue/items?msg=已提交合法性审查").into_response(),
        Err(e) => page_error(&ctx, e, "/catalogue/items"),
    }
}

/// The justice bureau's review queue.
pub async fn review_page(State(s): State<AppState>, ctx: Ctx, Query(m): Query<Msg>) -> Response {
    let message = m.msg.unwrap_or_default();
    review_view(&s, &ctx, message, FormErrors::none(), Kept::none()).await
}

async fn review_view(
    s: &AppState,
    ctx: &Ctx,
    message: String,
    errors: FormErrors,
    kept: Kept,
) -> Response {
    if let Err(e) = require_staff(ctx) {
        return page_error(ctx, e, "/");
    }
    match review::queue(&s.app, &ctx.actor).await {
        Ok(items) => {
            let mut p = StaffPage::new(ctx, "合法性审查", "/catalogue/review");
            p.items = items;
            p.show_items = true;
            p.review_mode = ctx.actor.has(Role::LegalReviewer);
            p.message = message;
            p.errors = errors;
            p.kept = kept;
            render(p.errors.status(), &p)
        }
        Err(e) => page_error(ctx, e, "/workbench"),
    }
}

#[derive(Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    verdict: String,
    #[serde(default)]
    remarks: String,
}

pub async fn review_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ReviewForm>,
) -> Response {
    let remarks = format!("remarks-{id}");
    let kept = Kept::none().with(remarks.as_str(), f.remarks.as_str());
    let input = ReviewInput {
        verdict: f.verdict,
        remarks: f.remarks,
    };
    let done = match input.parse() {
        Ok(d) => review::review(&s.app, &ctx.actor, id, &d).await,
        Err(e) => Err(e),
    };
    match done {
        Ok(_) => Redirect::to("/catalogue/review?msg=审查结论已保存").into_response(),
        Err(e) if FormErrors::is_access(&e) => page_error(&ctx, e, "/catalogue/review"),
        Err(e) => {
            let fields = [("remarks", remarks.as_str()), ("verdict", remarks.as_str())];
            let errors = FormErrors::from_error(e, &fields);
            review_view(&s, &ctx, String::new(), errors, kept).await
        }
    }
}

/// The joint office's (and approver's) page: prepare, approve, publish.
pub async fn lists_page(State(s): State<AppState>, ctx: Ctx, Query(m): Query<Msg>) -> Response {
    let message = m.msg.unwrap_or_default();
    lists_view(&s, &ctx, message, FormErrors::none(), Kept::none()).await
}

/// After a refused form of the lists page: the page again, the errors by their inputs.
async fn lists_refused(
    s: &AppState,
    ctx: &Ctx,
    e: AppError,
    fields: &[(&str, &str)],
    kept: Kept,
) -> Response {
    if FormErrors::is_access(&e) {
        return page_error(ctx, e, "/catalogue/lists");
    }
    lists_view(
        s,
        ctx,
        String::new(),
        FormErrors::from_error(e, fields),
        kept,
    )
    .await
}

async fn lists_view(
    s: &AppState,
    ctx: &Ctx,
    message: String,
    errors: FormErrors,
    kept: Kept,
) -> Response {
    if let Err(e) = require_staff(ctx) {
        return page_error(ctx, e, "/");
    }
    if let Err(e) =
        ctx.actor
            .require_any(&[Role::JointOffice, Role::CountyApprover, Role::SystemAdmin])
    {
        return page_error(ctx, e, "/workbench");
    }
    let versions = match lists::versions(&s.app, &ctx.actor, true).await {
        Ok(v) => v,
        Err(e) => return page_error(ctx, e, "/workbench"),
    };
    let mut regions = vec![("370322000000".to_owned(), "高青县（县级清单）".to_owned())];
    if let Ok(towns) = proofless_app::regions::list(
        &s.app,
        Some("370322000000"),
        Some(proofless_domain::region::RegionLevel::Town),
    )
    .await
    {
        regions.extend(towns.into_iter().map(|r| (r.code, r.name)));
    }
    let mut p = StaffPage::new(ctx, "免提交清单汇总与发布", "/catalogue/lists");
    p.show_prepare = true;
    p.can_approve = ctx.actor.has(Role::CountyApprover);
    p.can_publish = ctx.actor.has(Role::JointOffice);
    p.regions = regions;
    p.versions = versions;
    p.message = message;
    p.errors = errors;
    p.kept = kept;
    render(p.errors.status(), &p)
}

#[derive(Deserialize)]
pub struct PrepareForm {
    #[serde(default)]
    region_code: String,
    #[serde(default)]
    note: String,
}

pub async fn prepare_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    Form(f): Form<PrepareForm>,
) -> Response {
    let kept = Kept::none()
        .with("region_code", f.region_code.as_str())
        .with("note", f.note.as_str());
    let input = PrepareInput {
        region_code: f.region_code,
        item_ids: None,
        note: f.note,
    };
    let done = match input.parse() {
        Ok(p) => lists::prepare(&s.app, &ctx.actor, &p).await,
        Err(e) => Err(e),
    };
    match done {
        Ok(_) => Redirect::to("/catalogue/lists?msg=清单已汇总，待县政府核准").into_response(),
        Err(e) => {
            let fields = [
                ("region_code", "region_code"),
                ("note", "note"),
                ("item_ids", "region_code"),
            ];
            lists_refused(&s, &ctx, e, &fields, kept).await
        }
    }
}

#[derive(Deserialize)]
pub struct ApproveForm {
    #[serde(default)]
    approval_doc_no: String,
}

pub async fn approve_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ApproveForm>,
) -> Response {
    let doc = format!("doc-{id}");
    let kept = Kept::none().with(doc.as_str(), f.approval_doc_no.as_str());
    let input = ApproveInput {
        approval_doc_no: f.approval_doc_no,
    };
    let done = match input.parse() {
        Ok(doc) => lists::approve(&s.app, &ctx.actor, id, &doc).await,
        Err(e) => Err(e),
    };
    match done {
        Ok(_) => Redirect::to("/catalogue/lists?msg=已核准").into_response(),
        Err(e) => lists_refused(&s, &ctx, e, &[("approval_doc_no", doc.as_str())], kept).await,
    }
}

#[derive(Deserialize)]
pub struct PublishForm {
    #[serde(default)]
    effective_date: String,
}

pub async fn publish_submit(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<PublishForm>,
) -> Response {
    let date = format!("date-{id}");
    let kept = Kept::none().with(date.as_str(), f.effective_date.as_str());
    let input = PublishInput {
        effective_date: f.effective_date,
    };
    let done = match input.parse() {
        Ok(date) => lists::publish(&s.app, &ctx.actor, id, date).await,
        Err(e) => Err(e),
    };
    match done {
        Ok(_) => Redirect::to("/catalogue/lists?msg=已发布").into_response(),
        Err(e) => lists_refused(&s, &ctx, e, &[("effective_date", date.as_str())], kept).await,
    }
}
