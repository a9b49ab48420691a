//! serde helpers of generated code: how values whose JSON form a plain serde
//! derive would get wrong are read and written.
//!
//! - An optional property that is not nullable must reject `null`
//!   ([`present`]); plain `Option<T>` would take it.
//! - JSON Schema integers include `1.0`; serde's `i64` refuses it.
//! - `format: uuid` and `format: date-time` accept exactly what `jsonschema`
//!   accepts (the `uuid` crate alone also takes braces, URNs and 32 bare digits).
//!
//! Each such leaf type implements [`Wire`], as do `Option`, `Vec` and
//! `BTreeMap<String, _>` of them; the `with` modules here use it.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};

/// A value with its own JSON reading and writing (see the module docs).
pub trait Wire: Sized {
    /// Writes the value.
    fn ser<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error>;
    /// Reads the value.
    fn de<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error>;
}

/// Reads an optional, non-nullable property: present means `Some`, and `null`
/// is refused like any other value of the wrong type. Use with
/// `#[serde(default, deserialize_with = "…")]`.
pub fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(deserializer).map(Some)
}

/// Reads a required, nullable property: unlike a plain `Option<T>` field, a
/// missing property is an error.
pub fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    Option::<T>::deserialize(deserializer)
}

/// A generated struct or tagged enum, read only from a JSON object.
///
/// serde's derive also reads structs from arrays (`[a, b]` as the fields in
/// order) and internally tagged enums from arrays (the tag first); JSON
/// Schema's `"type": "object"` refuses both. Generated types derive serde
/// with `#[serde(remote = "Self")]` and implement `Deserialize` through
/// [`object`], which hands the derived code a map or refuses.
pub trait Object<'de>: Sized {
    /// The derived deserialization, given a map.
    fn from_map<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error>;
}

/// Reads a `T` from a JSON object only (see [`Object`]).
pub fn object<'de, D: Deserializer<'de>, T: Object<'de>>(deserializer: D) -> Result<T, D::Error> {
    struct ObjectVisitor<T>(PhantomData<T>);
    impl<'de, T: Object<'de>> Visitor<'de> for ObjectVisitor<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            T::from_map(de::value::MapAccessDeserializer::new(map))
        }
    }
    deserializer.deserialize_map(ObjectVisitor(PhantomData))
}

/// `#[serde(with = "…")]` for a required [`Wire`] value.
pub mod required {
    use super::Wire;
    use serde::{Deserializer, Serializer};

    /// Writes the value.
    pub fn serialize<T: Wire, S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
        value.ser(serializer)
    }

    /// Reads the value.
    pub fn deserialize<'de, T: Wire, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
        T::de(deserializer)
    }
}

/// `#[serde(default, skip_serializing_if = "Option::is_none", with = "…")]`
/// for an optional [`Wire`] value (present means `Some`).
pub mod optional {
    use super::Wire;
    use serde::{Deserializer, Serializer};

    /// Writes the value (`None` is skipped by `skip_serializing_if`).
    pub fn serialize<T: Wire, S: Serializer>(
        value: &Option<T>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(v) => v.ser(serializer),
            None => serializer.serialize_none(),
        }
    }

    /// Reads the value.
    pub fn deserialize<'de, T: Wire, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<T>, D::Error> {
        T::de(deserializer).map(Some)
    }
}

/// A JSON Schema integer: `3`, `3.0` and `3e0` are the same integer.
impl Wire for i64 {
    fn ser<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(*self)
    }

    fn de<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct IntVisitor;
        impl Visitor<'_> for IntVisitor {
            type Value = i64;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
                Ok(v)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
                i64::try_from(v).map_err(|_| E::custom(format!("integer {v} is out of range")))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<i64, E> {
                // 2^63 is exact in f64; the range is [-2^63, 2^63).
                if v.fract() == 0.0
                    && (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&v)
                {
                    Ok(v as i64)
                } else if v.fract() == 0.0 {
                    Err(E::custom(format!("integer {v} is out of range")))
                } else {
                    Err(E::invalid_type(de::Unexpected::Float(v), &self))
                }
            }
        }
        deserializer.deserialize_any(IntVisitor)
    }
}

/// A string that must pass a `format` check before it is parsed.
fn formatted<'de, D: Deserializer<'de>>(
    deserializer: D,
    format: crate::validate::Format,
    name: &str,
) -> Result<String, D::Error> {
    let s = String::deserialize(deserializer)?;
    if format.is_valid(&s) {
        Ok(s)
    } else {
        Err(de::Error::custom(format!("{s:?} is not a \"{name}\"")))
    }
}

#[cfg(feature = "uuid")]
impl Wire for uuid::Uuid {
    fn ser<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(
            self.hyphenated()
                .encode_lower(&mut uuid::Uuid::encode_buffer()),
        )
    }

    fn de<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = formatted(deserializer, crate::validate::Format::Uuid, "uuid")?;
        uuid::Uuid::parse_str(&s).map_err(de::Error::custom)
    }
}

#[cfg(feature = "chrono")]
impl Wire for chrono::DateTime<chrono::Utc> {
    fn ser<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
    }

    fn de<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = formatted(deserializer, crate::validate::Format::DateTime, "date-time")?;
        chrono::DateTime::parse_from_rfc3339(&s)
            .map(|t| t.with_timezone(&chrono::Utc))
            .map_err(de::Error::custom)
    }
}

#[cfg(feature = "time")]
impl Wire for time::OffsetDateTime {
    fn ser<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let text = self
            .format(&time::format_description::well_known::Rfc3339)
            .map_err(serde::ser::Error::custom)?;
        serializer.serialize_str(&text)
    }

    fn de<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = formatted(deserializer, crate::validate::Format::DateTime, "date-time")?;
        time::OffsetDateTime::parse(&s, &time::format_description::well_known::Rfc3339)
            .map_err(de::Error::custom)
    }
}

/// A nullable value.
impl<T: Wire> Wire for Option<T> {
    fn ser<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Some(v) => v.ser(serializer),
            None => serializer.serialize_none(),
        }
    }

    fn de<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Option::<Wired<T>>::deserialize(deserializer).map(|o| o.map(|w| w.0))
    }
}

impl<T: Wire> Wire for Vec<T> {
    fn ser<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for item in self {
            seq.serialize_element(&WiredRef(item))?;
        }
        seq.end()
    }

    fn de<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SeqVisitor<T>(PhantomData<T>);
        impl<'de, T: Wire> Visitor<'de> for SeqVisitor<T> {
            type Value = Vec<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
                while let Some(Wired(item)) = seq.next_element::<Wired<T>>()? {
                    out.push(item);
                }
                Ok(out)
            }
        }
        deserializer.deserialize_seq(SeqVisitor(PhantomData))
    }
}

impl<T: Wire> Wire for BTreeMap<String, T> {
    fn ser<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (k, v) in self {
            map.serialize_entry(k, &WiredRef(v))?;
        }
        map.end()
    }

    fn de<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MapVisitor<T>(PhantomData<T>);
        impl<'de, T: Wire> Visitor<'de> for MapVisitor<T> {
            type Value = BTreeMap<String, T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = BTreeMap::new();
                while let Some((k, Wired(v))) = map.next_entry::<String, Wired<T>>()? {
                    out.insert(k, v);
                }
                Ok(out)
            }
        }
        deserializer.deserialize_map(MapVisitor(PhantomData))
    }
}

struct Wired<T>(T);

impl<'de, T: Wire> Deserialize<'de> for Wired<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::de(deserializer).map(Wired)
    }
}

struct WiredRef<'a, T>(&'a T);

impl<T: Wire> Serialize for WiredRef<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.ser(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct T {
        #[serde(with = "required")]
        n: i64,
        #[serde(default, skip_serializing_if = "Option::is_none", with = "optional")]
        ns: Option<Vec<i64>>,
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            deserialize_with = "present"
        )]
        s: Option<String>,
        #[serde(deserialize_with = "nullable")]
        z: Option<String>,
    }

    #[test]
    fn integers_accept_integral_floats() {
        let t: T = serde_json::from_value(json!({"n": 3.0, "ns": [1, 2.0], "z": null})).unwrap();
        assert_eq!(t.n, 3);
        assert_eq!(t.ns, Some(vec![1, 2]));
        assert!(serde_json::from_value::<T>(json!({"n": 3.5, "z": null})).is_err());
        assert!(serde_json::from_value::<T>(json!({"n": 1e19, "z": null})).is_err());
        assert_eq!(
            serde_json::to_value(&t).unwrap(),
            json!({"n": 3, "ns": [1, 2], "z": null})
        );
    }

    #[test]
    fn optional_refuses_null_and_required_nullable_must_be_present() {
        assert!(serde_json::from_value::<T>(json!({"n": 1, "s": null, "z": null})).is_err());
        assert!(serde_json::from_value::<T>(json!({"n": 1, "ns": null, "z": null})).is_err());
        assert!(serde_json::from_value::<T>(json!({"n": 1})).is_err());
        let t: T = serde_json::from_value(json!({"n": 1, "z": "x"})).unwrap();
        assert_eq!(t.s, None);
    }

    #[cfg(feature = "uuid")]
    #[test]
    fn uuids_are_hyphenated_only() {
        let ok = "5f0c6f5e-8a5e-4c2b-9d6e-2f1a4b7c9d10";
        let u = uuid::Uuid::de(serde_json::Value::from(ok)).unwrap();
        assert_eq!(u.to_string(), ok);
        assert!(
            uuid::Uuid::de(serde_json::Value::from("5f0c6f5e8a5e4c2b9d6e2f1a4b7c9d10")).is_err()
        );
        assert!(uuid::Uuid::de(serde_json::Value::from(format!("{{{ok}}}"))).is_err());
    }

    #[cfg(feature = "chrono")]
    #[test]
    fn date_times_are_rfc3339() {
        let t =
            chrono::DateTime::<chrono::Utc>::de(serde_json::Value::from("2026-01-02T03:04:05Z"))
                .unwrap();
        let back = t.ser(serde_json::value::Serializer).unwrap();
        assert_eq!(back, json!("2026-01-02T03:04:05Z"));
        assert!(
            chrono::DateTime::<chrono::Utc>::de(serde_json::Value::from("2026-01-02 03:04:05Z"))
                .is_err()
        );
    }
}
