//! The package itself, without IO: the manifest (GB/T 18894-2016 metadata names), the zip,
//! and the offline check `proofless archive verify` runs (hashes, seals, parts).

use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};

use proofless_seal::{canonical_json, public_key_id, sm3_hex};
use serde_json::{Value as Json, json};

/// The manifest: canonical JSON, the bytes the receiving unit's seal signs.
pub const MANIFEST: &str = "manifest.json";
/// SM3 of `manifest.json` as 64 lowercase hex (tells a changed manifest from a changed seal).
pub const MANIFEST_SM3: &str = "manifest.sm3";
/// DER SM2 signature (SM3, distid 1234567812345678) over the bytes of `manifest.json`.
pub const MANIFEST_SIG: &str = "manifest.sig";
/// The package format named in the manifest.
pub const FORMAT: &str = "proofless-case-archive/1";

/// PDF/A-2b, fonts embedded (GB/T 18894-2016 6.3 长期保存格式).
pub const PDF_A: &str = "application/pdf; PDF/A-2b";
/// Plain PDF 1.7, when the embedded font lacks a character PDF/A cannot show as a box.
pub const PDF_PLAIN: &str = "application/pdf";
pub const JSON_FORMAT: &str = "application/json";
pub const SIG_FORMAT: &str = "application/pkcs7-signature; SM2 DER";

/// The seal over one part: a sealed document's issuing unit and its public key, so the
/// document's own signature is checked offline too.
#[derive(Debug, Clone)]
pub struct PartSeal {
    pub org_name: String,
    pub key_id: String,
    pub public_pem: String,
    /// The part holding the DER signature of this part's bytes.
    pub signature_path: String,
}

/// One file of the package.
#[derive(Debug, Clone)]
pub struct Part {
    pub path: String,
    /// 题名
    pub title: String,
    /// 文件格式
    pub format: &'static str,
    pub bytes: Vec<u8>,
    pub seal: Option<PartSeal>,
}

/// The receiving unit's seal over the manifest.
pub struct ManifestSeal<'a> {
    pub org_name: &'a str,
    pub key_id: &'a str,
    pub public_pem: &'a str,
    pub signed_at: &'a str,
}

/// The manifest as JSON: the archival metadata (`档案元数据`), one entry per file with its
/// SM3 digest (`文件清单`), and the rule of the seal over it (`电子签名`).
pub fn manifest(metadata: Json, parts: &[Part], seal: &ManifestSeal<'_>) -> Json {
    let files: Vec<Json> = parts
        .iter()
        .map(|p| {
            let mut f = json!({
                "计算机文件名": p.path,
                "题名": p.title,
                "文件格式": p.format,
                "计算机文件大小": p.bytes.len(),
                "数字摘要算法": "SM3",
                "数字摘要": sm3_hex(&p.bytes),
            });
            if let Some(s) = &p.seal {
                f["电子印章"] = json!({
                    "签章单位": s.org_name, "密钥标识": s.key_id,
                    "公钥": s.public_pem, "签名文件": s.signature_path,
                });
            }
            f
        })
        .collect();
    json!({
        "格式": FORMAT,
        "著录标准": "GB/T 18894-2016 电子文件归档与电子档案管理规范",
        "档案元数据": metadata,
        "文件清单": files,
        "电子签名": {
            "签名规则": "SM2（GB/T 32918）签名，摘要算法 SM3，用户标识 1234567812345678；签名对象为 manifest.json 的全部字节；签名值（DER）存于 manifest.sig",
            "签名人": seal.org_name,
            "密钥标识": seal.key_id,
            "公钥": seal.public_pem,
            "签名时间": seal.signed_at,
        },
    })
}

/// The manifest's bytes as signed and stored.
pub fn manifest_bytes(manifest: &Json) -> Vec<u8> {
    canonical_json(manifest)
}

/// Writes the zip: the manifest, its digest and its signature first, then the files in
/// manifest order. Entries carry a fixed time so the same case gives the same bytes.
pub fn write_zip(manifest: &[u8], signature: &[u8], parts: &[Part]) -> Result<Vec<u8>, String> {
    use zip::write::SimpleFileOptions;
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    let stored = opts.compression_method(zip::CompressionMethod::Stored);
    let digest = sm3_hex(manifest);
    let entries = [
        (MANIFEST, manifest, opts),
        (MANIFEST_SM3, digest.as_bytes(), stored),
        (MANIFEST_SIG, signature, stored),
    ];
    for (name, bytes, o) in entries {
        w.start_file(name, o).map_err(|e| e.to_string())?;
        w.write_all(bytes).map_err(|e| e.to_string())?;
    }
    for p in parts {
        // A PDF is already compressed inside.
        let o = if p.format.starts_with("application/pdf") {
            stored
        } else {
            opts
        };
        w.start_file(p.path.as_str(), o)
            .map_err(|e| e.to_string())?;
        w.write_all(&p.bytes).map_err(|e| e.to_string())?;
    }
    let out = w.finish().map_err(|e| e.to_string())?;
    Ok(out.into_inner())
}

/// What a package that passed every check holds.
#[derive(Debug, Clone)]
pub struct Checked {
    pub archive_no: String,
    pub case_no: String,
    pub org_name: String,
    pub key_id: String,
    /// Files listed and checked (the manifest's own three parts not counted).
    pub files: usize,
    /// Sealed documents whose own signatures were checked.
    pub seals: usize,
    /// Whether the manifest's seal was checked with a key given from outside the package
    /// (the published key), not only the key the manifest names.
    pub published_key: bool,
}

/// The first broken part of a package, named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Broken {
    /// Not a readable zip.
    Zip(String),
    /// A zip entry that does not read back (its CRC or compression is broken).
    Entry(String),
    /// A part the package must have is not there.
    Missing(String),
    /// A zip entry the manifest does not list.
    Extra(String),
    /// `manifest.json` was changed (or does not parse).
    Manifest(String),
    /// `manifest.sm3` does not match the manifest the seal covers.
    ManifestDigest,
    /// `manifest.sig` is not the receiving unit's signature over the manifest.
    Signature(String),
    /// The published key given is not the key that sealed the manifest.
    Key(String),
    /// A listed file whose digest or size is not what the manifest says.
    File(String),
    /// A sealed document whose own signature does not verify.
    SealedDocument(String),
}

impl std::fmt::Display for Broken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Broken::Zip(e) => write!(f, "不是有效的电子档案包（zip 无法读取：{e}）"),
            Broken::Entry(p) => write!(f, "{p}：zip 条目已损坏（CRC 校验失败或无法解压）"),
            Broken::Missing(p) => write!(f, "{p}：缺少该文件"),
            Broken::Extra(p) => write!(f, "{p}：清单中没有该文件（被添加）"),
            Broken::Manifest(why) => write!(f, "{MANIFEST}：清单已被改动（{why}）"),
            Broken::ManifestDigest => {
                write!(
                    f,
                    "{MANIFEST_SM3}：清单摘要与签章所覆盖的清单不符（已被改动）"
                )
            }
            Broken::Signature(why) => write!(f, "{MANIFEST_SIG}：签章无效（{why}）"),
            Broken::Key(why) => write!(f, "{MANIFEST_SIG}：{why}"),
            Broken::File(p) => write!(f, "{p}：文件内容与清单中的 SM3 摘要不符（已被改动）"),
            Broken::SealedDocument(p) => {
                write!(f, "{p}：电子文件的签章无效（文件或其签名已被改动）")
            }
        }
    }
}

impl Broken {
    /// The part named, for tests and the CLI.
    pub fn part(&self) -> &str {
        match self {
            Broken::Zip(_) => "zip",
            Broken::Entry(p)
            | Broken::Missing(p)
            | Broken::Extra(p)
            | Broken::File(p)
            | Broken::SealedDocument(p) => p,
            Broken::Manifest(_) => MANIFEST,
            Broken::ManifestDigest => MANIFEST_SM3,
            Broken::Signature(_) | Broken::Key(_) => MANIFEST_SIG,
        }
    }
}

/// Reads every entry of the zip, by name, in order.
fn entries(bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>, Broken> {
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| Broken::Zip(e.to_string()))?;
    let mut out = Vec::with_capacity(z.len());
    for i in 0..z.len() {
        let mut f = z.by_index(i).map_err(|e| Broken::Zip(e.to_string()))?;
        let name = f.name().to_owned();
        let mut buf = Vec::with_capacity(usize::try_from(f.size()).unwrap_or(0).min(1 << 26));
        if f.read_to_end(&mut buf).is_err() {
            return Err(Broken::Entry(name));
        }
        out.push((name, buf));
    }
    Ok(out)
}

fn sig_ok(pem: &str, msg: &[u8], sig: &[u8]) -> bool {
    proofless_seal::verify(pem, msg, sig).unwrap_or(false)
}

/// Checks a package offline: the manifest's seal (with `published_pem` when given, else
/// the key the manifest names), the manifest's digest, every listed file's SM3 digest and
/// size, every sealed document's own signature, and that nothing was added. Returns the
/// first broken part.
pub fn verify(bytes: &[u8], published_pem: Option<&str>) -> Result<Checked, Broken> {
    let list = entries(bytes)?;
    let mut by_name: BTreeMap<&str, &[u8]> = BTreeMap::new();
    for (n, b) in &list {
        if by_name.insert(n.as_str(), b.as_slice()).is_some() {
            return Err(Broken::Extra(n.clone()));
        }
    }
    let get = |p: &str| {
        by_name
            .get(p)
            .copied()
            .ok_or_else(|| Broken::Missing(p.to_owned()))
    };
    let manifest = get(MANIFEST)?;
    let digest = get(MANIFEST_SM3)?;
    let sig = get(MANIFEST_SIG)?;
    let manifest_sm3 = sm3_hex(manifest);
    let digest_matches = digest.trim_ascii() == manifest_sm3.as_bytes();
    let parsed: Result<Json, String> = serde_json::from_slice(manifest).map_err(|e| e.to_string());
    let named_pem = parsed
        .as_ref()
        .ok()
        .and_then(|m| m["电子签名"]["公钥"].as_str().map(str::to_owned));
    let named_key_id = parsed
        .as_ref()
        .ok()
        .and_then(|m| m["电子签名"]["密钥标识"].as_str().map(str::to_owned));
    let pem = match (published_pem, &named_pem) {
        (Some(p), _) => p.to_owned(),
        (None, Some(p)) => p.clone(),
        (None, None) => {
            return Err(Broken::Manifest("无法读出签章公钥".to_owned()));
        }
    };
    if !sig_ok(&pem, manifest, sig) {
        // The seal fails: either the manifest or the signature changed. The stored digest
        // tells which (both changed is still reported, as the manifest).
        if published_pem.is_some()
            && let (Some(named), Ok(given)) = (&named_key_id, public_key_id(&pem))
            && digest_matches
            && *named != given
        {
            return Err(Broken::Key(format!(
                "发布的公钥（密钥标识 {given}）不是签章所用的密钥（{named}）"
            )));
        }
        return Err(if digest_matches {
            Broken::Signature("签名与清单不符".to_owned())
        } else {
            Broken::Manifest("与签章、摘要均不符".to_owned())
        });
    }
    if !digest_matches {
        return Err(Broken::ManifestDigest);
    }
    let m = parsed.map_err(Broken::Manifest)?;
    let files = m["文件清单"]
        .as_array()
        .ok_or_else(|| Broken::Manifest("缺少文件清单".to_owned()))?;
    let mut listed: Vec<&str> = vec![MANIFEST, MANIFEST_SM3, MANIFEST_SIG];
    let mut seals = 0;
    for f in files {
        let path = f["计算机文件名"]
            .as_str()
            .ok_or_else(|| Broken::Manifest("文件清单缺少计算机文件名".to_owned()))?;
        let body = get(path)?;
        if f["数字摘要"].as_str() != Some(sm3_hex(body).as_str())
            || f["计算机文件大小"].as_u64() != Some(body.len() as u64)
        {
            return Err(Broken::File(path.to_owned()));
        }
        listed.push(path);
    }
    // Sealed documents: each checked with its issuer's key, once every file's digest holds.
    for f in files {
        let s = &f["电子印章"];
        if s.is_null() {
            continue;
        }
        let path = f["计算机文件名"].as_str().unwrap_or_default();
        let (Some(pem), Some(sig_path)) = (s["公钥"].as_str(), s["签名文件"].as_str()) else {
            return Err(Broken::Manifest(format!("{path} 的电子印章信息不全")));
        };
        if !sig_ok(pem, get(path)?, get(sig_path)?) {
            return Err(Broken::SealedDocument(path.to_owned()));
        }
        seals += 1;
    }
    for (n, _) in &list {
        if !listed.contains(&n.as_str()) {
            return Err(Broken::Extra(n.clone()));
        }
    }
    let meta = &m["档案元数据"];
    let s = |k: &str| meta[k].as_str().unwrap_or_default().to_owned();
    Ok(Checked {
        archive_no: s("档号"),
        case_no: s("办件编号"),
        org_name: s("立档单位名称"),
        key_id: named_key_id.unwrap_or_default(),
        files: files.len(),
        seals,
        published_key: published_pem.is_some(),
    })
}

/// The sealing unit's credit code and key id as the manifest names them (to fetch the
/// published key); nothing is checked here.
pub fn sealer_of(bytes: &[u8]) -> Result<(String, String), String> {
    let list = entries(bytes).map_err(|e| e.to_string())?;
    let m = list
        .iter()
        .find(|(n, _)| n == MANIFEST)
        .ok_or_else(|| Broken::Missing(MANIFEST.to_owned()).to_string())?;
    let m: Json =
        serde_json::from_slice(&m.1).map_err(|e| Broken::Manifest(e.to_string()).to_string())?;
    let code = m["档案元数据"]["统一社会信用代码"]
        .as_str()
        .ok_or("清单未载明立档单位的统一社会信用代码，请用 --key 指定公钥")?;
    let key = m["电子签名"]["密钥标识"].as_str().unwrap_or_default();
    Ok((code.to_owned(), key.to_owned()))
}
