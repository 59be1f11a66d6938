//! The synonym table the joint office maintains (issue #22 §2; A3 §12: what citizens look
//! for): an everyday word (户口本, 开公司) and the list's word it should find (户口簿, 市场主体).
//! The public search index gives every published item the everyday words whose list's word
//! its name or one of its service items' names contains ([`aliases_for`]), so the word finds
//! the item as its own name would, also while the citizen is still typing it. Every change is
//! audited and moves a revision on, which every instance's index follows (see `public`).

use proofless_domain::adjustment::normalise_query;
use proofless_domain::role::Role;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::repo;
use crate::App;
use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult, Problems};

/// Longest everyday word or list's word.
pub const MAX_WORD: usize = 32;

/// Who maintains the table.
pub const MAINTAINERS: [Role; 1] = [Role::JointOffice];

/// One pair of the synonym table.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Synonym {
    /// The everyday word (户口本), normalised as a search query is.
    pub term: String,
    /// The list's word it should find (户口簿).
    pub canonical: String,
    pub created_by: String,
    pub created_at: i64,
}

/// A synonym: an everyday word and the list's word it should find.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SynonymInput {
    pub term: String,
    pub canonical: String,
}

fn word(p: &mut Problems, field: &str, raw: &str, what: &str) -> String {
    let s = raw.trim();
    if s.is_empty() {
        p.add(field, format!("请填写{what}"));
        return String::new();
    }
    if s.chars().any(char::is_control) {
        p.add(field, format!("{what}含有不可见的控制字符"));
        return String::new();
    }
    let n = s.chars().count();
    if n > MAX_WORD {
        p.add(field, format!("{what}过长：{n} 个字，最多 {MAX_WORD} 个字"));
        return String::new();
    }
    s.to_owned()
}

impl SynonymInput {
    /// The normalised everyday word and the list's word, or every field error at once.
    pub fn parse(&self) -> AppResult<(String, String)> {
        let mut p = Problems::default();
        let term = normalise_query(&word(&mut p, "term", &self.term, "群众常用说法"));
        let canonical = word(&mut p, "canonical", &self.canonical, "清单中的名称");
        if !term.is_empty() && term == normalise_query(&canonical) {
            p.add(
                "canonical",
                "清单中的名称与群众常用说法相同，不能作为同义词",
            );
        }
        p.into_result()?;
        Ok((term, canonical))
    }
}

/// The table, by everyday word (joint office and system admin).
pub async fn list(app: &App, actor: &Actor) -> AppResult<Vec<Synonym>> {
    actor.require_any(&[Role::JointOffice, Role::SystemAdmin])?;
    Ok(repo::synonyms(&mut app.db.reader()).await?)
}

/// Adds a pair (joint office). The same pair twice is refused; the index follows at once.
pub async fn add(app: &App, actor: &Actor, input: &SynonymInput) -> AppResult<Synonym> {
    actor.require_any(&MAINTAINERS)?;
    let (term, canonical) = input.parse()?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    if repo::insert_synonym(&mut tx, &term, &canonical, &actor.name, now).await? == 0 {
        return Err(AppError::field(
            "term",
            format!("同义词“{term} → {canonical}”已在同义词表中，不能重复添加"),
        ));
    }
    repo::bump_synonym_revision(&mut tx).await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("catalogue.synonym.add", "search_synonym", &term)
            .detail(json!({"canonical": canonical})),
    )
    .await?;
    tx.commit().await?;
    app.catalogue.update(app).await?;
    Ok(Synonym {
        term,
        canonical,
        created_by: actor.name.clone(),
        created_at: now,
    })
}

/// Removes one pair, or every pair of the everyday word when `canonical` is `None` (joint
/// office). The index follows at once.
pub async fn remove(
    app: &App,
    actor: &Actor,
    term: &str,
    canonical: Option<&str>,
) -> AppResult<()> {
    actor.require_any(&MAINTAINERS)?;
    let term = normalise_query(term);
    let canonical = canonical.map(str::trim).filter(|c| !c.is_empty());
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    if repo::delete_synonyms(&mut tx, &term, canonical).await? == 0 {
        return Err(AppError::NotFound(match canonical {
            Some(c) => format!("同义词“{term} → {c}”"),
            None => format!("同义词“{term}”"),
        }));
    }
    repo::bump_synonym_revision(&mut tx).await?;
    audit::append(
        &mut tx,
        actor,
        now,
        Entry::new("catalogue.synonym.remove", "search_synonym", &term)
            .detail(json!({"canonical": canonical})),
    )
    .await?;
    tx.commit().await?;
    app.catalogue.update(app).await?;
    Ok(())
}

/// The pairs whose everyday word the query contains (the search's fallback for a query
/// longer than the word, e.g. 开公司要什么证明).
pub async fn in_query(app: &App, query: &str) -> AppResult<Vec<Synonym>> {
    let norm = normalise_query(query);
    if norm.is_empty() {
        return Ok(vec![]);
    }
    Ok(repo::synonyms_in(&mut app.db.reader(), &norm).await?)
}

/// The pairs a query that found nothing may have meant (issue #22 §2): the query holds the
/// everyday word or the list's word, or is part of either. No login: only the words.
pub async fn related(app: &App, query: &str) -> AppResult<Vec<(String, String)>> {
    let norm = normalise_query(query);
    if norm.is_empty() {
        return Ok(vec![]);
    }
    let rows = repo::synonyms(&mut app.db.reader()).await?;
    let mut out: Vec<(String, String)> = rows
        .into_iter()
        .filter(|s| {
            let c = normalise_query(&s.canonical);
            norm.contains(&s.term)
                || s.term.contains(&norm)
                || norm.contains(&c)
                || c.contains(&norm)
        })
        .map(|s| (s.term, s.canonical))
        .collect();
    out.truncate(8);
    Ok(out)
}

/// A pair as the index matches it: the everyday word and the list's word's match key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pair {
    pub term: String,
    pub canonical_key: String,
}

pub(crate) fn pairs(rows: &[Synonym]) -> Vec<Pair> {
    rows.iter()
        .map(|s| Pair {
            term: s.term.clone(),
            canonical_key: proofless_search::normalize(&s.canonical),
        })
        .filter(|p| !p.canonical_key.is_empty())
        .collect()
}

/// The everyday words of an item: those whose list's word its name or one of its service
/// items' names contains (match keys compared, as the index compares them).
pub(crate) fn aliases_for<'a>(
    name: &str,
    service_names: impl Iterator<Item = &'a str>,
    pairs: &[Pair],
) -> Vec<String> {
    if pairs.is_empty() {
        return vec![];
    }
    let mut keys = vec![proofless_search::normalize(name)];
    keys.extend(service_names.map(proofless_search::normalize));
    let mut out: Vec<String> = pairs
        .iter()
        .filter(|p| keys.iter().any(|k| k.contains(&p.canonical_key)))
        .map(|p| p.term.clone())
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(term: &str, canonical: &str) -> SynonymInput {
        SynonymInput {
            term: term.to_owned(),
            canonical: canonical.to_owned(),
        }
    }

    fn messages(r: AppResult<(String, String)>) -> Vec<String> {
        match r {
            Err(AppError::Validation(errs)) => errs.into_iter().map(|e| e.message).collect(),
            other => vec![format!("{other:?}")],
        }
    }

    // Issue #22 §2: Chinese errors naming the field; nothing accepted.
    #[test]
    fn empty_long_and_self_synonyms_are_refused_in_chinese() {
        assert_eq!(
            messages(input(" ", "").parse()),
            vec!["请填写群众常用说法", "请填写清单中的名称"]
        );
        let long = "户".repeat(MAX_WORD + 1);
        assert_eq!(
            messages(input(&long, "户籍证明").parse()),
            vec![format!("群众常用说法过长：33 个字，最多 {MAX_WORD} 个字")]
        );
        assert_eq!(
            messages(input("户籍 证明", "户籍证明").parse()),
            vec!["清单中的名称与群众常用说法相同，不能作为同义词"]
        );
        assert_eq!(
            input(" 户口本 ", "户口簿").parse().ok(),
            Some(("户口本".to_owned(), "户口簿".to_owned()))
        );
    }

    #[test]
    fn an_item_takes_the_words_whose_list_word_its_names_contain() {
        let rows = vec![
            Synonym {
                term: "户口本".into(),
                canonical: "户口簿".into(),
                created_by: String::new(),
                created_at: 0,
            },
            Synonym {
                term: "开公司".into(),
                canonical: "市场主体".into(),
                created_by: String::new(),
                created_at: 0,
            },
        ];
        let p = pairs(&rows);
        assert_eq!(
            aliases_for("户籍证明（户口簿已记载的事项）", std::iter::empty(), &p),
            vec!["户口本"]
        );
        assert_eq!(
            aliases_for(
                "住所（经营场所）使用证明",
                ["市场主体（含个体工商户）设立登记"].into_iter(),
                &p
            ),
            vec!["开公司"]
        );
        assert!(aliases_for("出生医学证明", std::iter::empty(), &p).is_empty());
    }
}
