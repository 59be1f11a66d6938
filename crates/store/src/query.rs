//! A statement and its arguments, independent of the backend.

/// One bound argument.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A NULL of a known column kind: PostgreSQL needs the type even for NULL.
    Null(NullKind),
    I64(i64),
    F64(f64),
    Bool(bool),
    Text(String),
    Bytes(Vec<u8>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NullKind {
    I64,
    F64,
    Bool,
    Text,
    Bytes,
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::I64(v)
    }
}
impl From<i32> for Value {
    fn from(v: i32) -> Self {
        Value::I64(v.into())
    }
}
impl From<u32> for Value {
    fn from(v: u32) -> Self {
        Value::I64(v.into())
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::F64(v)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(v.clone())
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}
impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Self {
        Value::Bytes(v)
    }
}
impl From<&[u8]> for Value {
    fn from(v: &[u8]) -> Self {
        Value::Bytes(v.to_vec())
    }
}
macro_rules! nullable {
    ($($t:ty => $k:ident),+ $(,)?) => {
        $(impl From<Option<$t>> for Value {
            fn from(v: Option<$t>) -> Self {
                match v {
                    Some(x) => x.into(),
                    None => Value::Null(NullKind::$k),
                }
            }
        })+
    };
}

nullable!(i64 => I64, i32 => I64, u32 => I64, f64 => F64, bool => Bool, String => Text, &String => Text, &str => Text, Vec<u8> => Bytes);

/// SQL written with `?` placeholders plus its arguments. Never put a literal `?`
/// inside a string constant in SQL: arguments are the only way values enter a query.
#[derive(Debug, Clone)]
pub struct Query {
    pub sql: String,
    pub args: Vec<Value>,
    /// Claim the selected rows for this transaction, skipping those another holds
    /// (PostgreSQL `FOR UPDATE [OF t] SKIP LOCKED`; an SQLite write transaction already
    /// holds the whole database). Set with [`Query::skip_locked`].
    pub(crate) skip_locked: Option<String>,
}

impl Query {
    pub fn new(sql: impl Into<String>) -> Self {
        Query {
            sql: sql.into(),
            args: Vec::new(),
            skip_locked: None,
        }
    }

    /// Claims the rows a `SELECT` returns for the running transaction, skipping rows that
    /// another transaction has claimed, so several instances share work and none does an
    /// item twice. `of` names the table whose rows are claimed (a join's alias), or "".
    pub fn skip_locked(mut self, of: &str) -> Self {
        self.skip_locked = Some(of.to_owned());
        self
    }

    pub fn bind(mut self, v: impl Into<Value>) -> Self {
        self.args.push(v.into());
        self
    }

    pub fn push_sql(&mut self, sql: &str) {
        self.sql.push_str(sql);
    }

    pub fn push_arg(&mut self, v: impl Into<Value>) {
        self.args.push(v.into());
    }

    /// `?, ?, ?` for an IN list of `n` arguments.
    pub fn placeholders(n: usize) -> String {
        vec!["?"; n].join(", ")
    }

    /// The SQL with `$1, $2…` placeholders for PostgreSQL.
    pub fn postgres_sql(&self) -> String {
        let mut out = String::with_capacity(self.sql.len() + 32);
        let mut n = 0;
        for ch in self.sql.chars() {
            if ch == '?' {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            } else {
                out.push(ch);
            }
        }
        match self.skip_locked.as_deref() {
            Some("") => out.push_str(" FOR UPDATE SKIP LOCKED"),
            Some(of) => {
                out.push_str(" FOR UPDATE OF ");
                out.push_str(of);
                out.push_str(" SKIP LOCKED");
            }
            None => {}
        }
        out
    }
}

/// Build a query: `q("SELECT … WHERE id = ?").bind(id)`.
pub fn q(sql: impl Into<String>) -> Query {
    Query::new(sql)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_placeholders_are_numbered_in_order() {
        let q = q("SELECT a FROM t WHERE b = ? AND c IN (?, ?)");
        assert_eq!(
            q.postgres_sql(),
            "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)"
        );
    }

    #[test]
    fn claimed_rows_skip_locked_ones_on_postgres_only() {
        let claim = q("SELECT id FROM jobs d WHERE run_at <= ? LIMIT ?").skip_locked("d");
        assert_eq!(
            claim.postgres_sql(),
            "SELECT id FROM jobs d WHERE run_at <= $1 LIMIT $2 FOR UPDATE OF d SKIP LOCKED"
        );
        assert_eq!(claim.sql, "SELECT id FROM jobs d WHERE run_at <= ? LIMIT ?");
    }
}
