//! Case e-archives (电子档案; SPEC R6.2, P 三(三) "在事项办结后连同办理结果实时归集，固化形成
//! 电子档案……将电子档案作为电子证照证明库的有效补充证明"; issue #17 §3).
//!
//! When a case is decided, the deciding transaction enqueues the durable job `case.archive`
//! (`cases::KIND_ARCHIVE`, one key per case, so exactly once; the runner retries a failure).
//! The job builds the package from the committed records and stores it with its SM3 digest
//! in `case_archives`, one per case; a download before the job ran builds it then, and the
//! job finds it there and is skipped.
//!
//! ## Package layout (a zip; `docs/ARCHIVE.md` has the full description)
//!
//! | entry | what |
//! |---|---|
//! | `manifest.json` | canonical JSON: `格式`, `著录标准`, `档案元数据` (GB/T 18894-2016 names: 档号, 题名, 责任者, 立档单位名称, 保管期限, 件数 …), `文件清单` (per file: 计算机文件名, 题名, 文件格式, 计算机文件大小, 数字摘要算法 = SM3, 数字摘要, and for a sealed document its 电子印章: issuing unit, key id, public key, signature file), `电子签名` (签名规则, 签名人, 密钥标识, 公钥, 签名时间) |
//! | `manifest.sm3` | SM3 of `manifest.json`, hex (tells a changed manifest from a changed seal) |
//! | `manifest.sig` | the receiving unit's SM2 signature (DER, SM3, distid 1234567812345678) over the bytes of `manifest.json`; `openssl pkeyutl -verify -rawin -digest sm3 -pkeyopt distid:1234567812345678 -pubin -inkey seal.pem -in manifest.json -sigfile manifest.sig` |
//! | `case.json` | the case's metadata |
//! | `proofs.json` | every proof of the case and how it was resolved, by whom and when |
//! | `decision.json` | the decision (outcome, reason, time) |
//! | `case.pdf` | 办件归档表: all of the above rendered, PDF/A-2b with the font embedded |
//! | `sealed/<kind>-<id>.json`, `.sig`, `.pdf` | each sealed document of the case (verification replies, commitment letters, notices sealed about the case): the exact signed bytes, the issuer's DER signature, and the rendering (PDF/A-2b) |
//!
//! `proofless archive verify FILE [--key PEM | --url SITE]` ([`verify`]) checks it offline
//! and names the first broken part. An entitled unit's pull (`sharing::pulls`) finds a
//! proof an archived case established ([`established`]) when the e-licence library has none.

mod package;
mod pdf;
mod repo;
mod service;

pub use package::{
    Broken, Checked, FORMAT, MANIFEST, MANIFEST_SIG, MANIFEST_SM3, PDF_A, PDF_PLAIN, verify,
};
pub use repo::{ArchiveInfo, Established};
pub use service::*;

/// The published key of the unit that sealed a package, fetched from a Proofless site
/// (`SITE/api/v1/public/orgs/{credit_code}/seal.pem?key_id=…`): the credit code and key id
/// are read from the package's manifest.
pub async fn published_key(site: &str, package_bytes: &[u8]) -> Result<String, String> {
    let (code, key_id) = package::sealer_of(package_bytes)?;
    let url = format!(
        "{}/api/v1/public/orgs/{code}/seal.pem?key_id={key_id}",
        site.trim_end_matches('/')
    );
    let resp = reqwest::get(&url)
        .await
        .map_err(|e| format!("无法取得发布的公钥 {url}：{e}"))?;
    if !resp.status().is_success() {
        return Err(format!("无法取得发布的公钥 {url}：HTTP {}", resp.status()));
    }
    resp.text()
        .await
        .map_err(|e| format!("无法取得发布的公钥 {url}：{e}"))
}
