//! Rows decode through serde, the same way on both backends: a row is its column names and
//! values, read as a map by column name (structs deriving `Deserialize`) or as a sequence
//! (tuples, in column order).

use std::sync::Arc;

use serde::de::value::{Error as DeError, StringDeserializer};
use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};

use crate::{StoreError, Value};

/// A row type that decodes on both backends: any `Deserialize` struct or tuple.
pub trait Row: DeserializeOwned + Send + Unpin {}

impl<T> Row for T where T: DeserializeOwned + Send + Unpin {}

/// Decodes one row given its column names and values.
pub(crate) fn decode<T: Row>(cols: &Arc<[String]>, vals: Vec<Value>) -> Result<T, StoreError> {
    T::deserialize(RowDe {
        cols: cols.clone(),
        vals,
    })
    .map_err(|e| StoreError::Decode(e.to_string()))
}

struct RowDe {
    cols: Arc<[String]>,
    vals: Vec<Value>,
}

impl<'de> de::Deserializer<'de> for RowDe {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        let entries = self
            .cols
            .iter()
            .cloned()
            .zip(self.vals.into_iter().map(ValueDe));
        v.visit_map(de::value::MapDeserializer::new(entries))
    }

    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        v.visit_seq(de::value::SeqDeserializer::new(
            self.vals.into_iter().map(ValueDe),
        ))
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, v: V) -> Result<V::Value, DeError> {
        if len != self.vals.len() {
            return Err(de::Error::custom(format!(
                "expected {len} columns, the query returned {}",
                self.vals.len()
            )));
        }
        self.deserialize_seq(v)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        len: usize,
        v: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_tuple(len, v)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct map struct enum identifier ignored_any
    }
}

impl IntoDeserializer<'_, DeError> for ValueDe {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}

/// One column value. SQLite has no boolean or exact types: an integer reads as a bool and
/// as a float where the field asks for one.
struct ValueDe(Value);

impl<'de> de::Deserializer<'de> for ValueDe {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        match self.0 {
            Value::Null(_) => v.visit_none(),
            Value::I64(x) => v.visit_i64(x),
            Value::F64(x) => v.visit_f64(x),
            Value::Bool(x) => v.visit_bool(x),
            Value::Text(s) => v.visit_string(s),
            Value::Bytes(b) => v.visit_byte_buf(b),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        match self.0 {
            Value::Null(_) => v.visit_none(),
            _ => v.visit_some(self),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        match self.0 {
            Value::I64(x) => v.visit_bool(x != 0),
            _ => self.deserialize_any(v),
        }
    }

    fn deserialize_f64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        match self.0 {
            Value::I64(x) => v.visit_f64(x as f64),
            _ => self.deserialize_any(v),
        }
    }

    fn deserialize_f32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_f64(v)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        v: V,
    ) -> Result<V::Value, DeError> {
        v.visit_newtype_struct(self)
    }

    /// `Vec<u8>` asks for a sequence, not for bytes.
    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        match self.0 {
            Value::Bytes(b) => v.visit_seq(de::value::SeqDeserializer::new(b.into_iter())),
            _ => self.deserialize_any(v),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, DeError> {
        match self.0 {
            Value::Text(s) => {
                let d: StringDeserializer<DeError> = s.into_deserializer();
                v.visit_enum(d)
            }
            _ => Err(de::Error::custom("an enum column must be text")),
        }
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 char str string bytes byte_buf
        unit unit_struct tuple tuple_struct map struct identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct R {
        id: i64,
        name: String,
        active: bool,
        score: f64,
        note: Option<String>,
        #[serde(skip)]
        extra: Vec<String>,
    }

    fn cols(names: &[&str]) -> Arc<[String]> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn structs_read_columns_by_name_and_sqlite_integers_as_bool_and_float() {
        let c = cols(&["name", "id", "active", "score", "note"]);
        let r: R = decode(
            &c,
            vec![
                Value::Text("甲".into()),
                Value::I64(7),
                Value::I64(1),
                Value::I64(3),
                Value::Null(crate::NullKind::Text),
            ],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            r,
            R {
                id: 7,
                name: "甲".into(),
                active: true,
                score: 3.0,
                note: None,
                extra: vec![]
            }
        );
    }

    #[test]
    fn tuples_read_columns_in_order_and_a_wrong_count_is_an_error() {
        let c = cols(&["a", "b"]);
        let t: (i64, Option<i64>) =
            decode(&c, vec![Value::I64(1), Value::I64(2)]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t, (1, Some(2)));
        let bad: Result<(i64,), _> = decode(&c, vec![Value::I64(1), Value::I64(2)]);
        assert!(bad.is_err());
        let wrong_type: Result<(i64, i64), _> =
            decode(&c, vec![Value::Text("x".into()), Value::I64(2)]);
        assert!(wrong_type.is_err());
    }
}
