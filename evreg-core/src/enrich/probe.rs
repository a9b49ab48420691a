//! Which base fields a typed payload already has, read from its `Serialize`
//! implementation without making any JSON: a serializer that records the
//! top-level field names and compares the tenant field with the context's.
//! The bus then skips the `serde_json::Value` a payload with nothing to
//! enrich would otherwise be turned into.

use serde::Serialize;
use serde::ser::{self, Impossible};

/// Why the probe stopped: the payload is not an object of named fields (or
/// a key is not a string). The caller takes the general path.
#[derive(Debug)]
pub(super) struct Stop;

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not an object of named fields")
    }
}

impl std::error::Error for Stop {}

impl ser::Error for Stop {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        Stop
    }
}

/// The top-level fields, among `names`, that a payload serializes.
pub(super) struct Fields<'a> {
    names: &'a [(&'static str, String)],
    /// The index of the tenant field in `names`, and the tenant expected.
    tenant: Option<(usize, &'a str)>,
    /// Bit `i`: `names[i]` is present (even as `null`).
    found: u64,
    /// The tenant field holds exactly the expected tenant.
    tenant_matches: bool,
    /// In a map: the index of the key just serialized, if one of `names`.
    key: Option<usize>,
}

impl<'a> Fields<'a> {
    pub(super) fn new(
        names: &'a [(&'static str, String)],
        tenant: Option<(usize, &'a str)>,
    ) -> Self {
        Fields {
            names,
            tenant,
            found: 0,
            tenant_matches: false,
            key: None,
        }
    }

    /// Whether `names[index]` was serialized.
    pub(super) fn has(&self, index: usize) -> bool {
        self.found & (1 << index) != 0
    }

    /// Whether the tenant field holds the expected tenant (false when the
    /// probe has no tenant field to check).
    pub(super) fn tenant_matches(&self) -> bool {
        self.tenant_matches
    }

    fn index(&self, key: &str) -> Option<usize> {
        self.names.iter().position(|(_, declared)| declared == key)
    }

    fn field<T: Serialize + ?Sized>(&mut self, index: usize, value: &T) {
        self.found |= 1 << index;
        if let Some((tenant, expected)) = self.tenant
            && tenant == index
        {
            self.tenant_matches = matches!(
                value.serialize(Str(|v: &str| (v == expected).then_some(0))),
                Ok(Some(_))
            );
        }
    }
}

/// The serializer methods for sequences, tuples and enum variants with
/// fields: none of them is an object of named fields, so each stops the
/// probe.
macro_rules! not_objects {
    () => {
        fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Stop> {
            Err(Stop)
        }

        fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Stop> {
            Err(Stop)
        }

        fn serialize_tuple_struct(
            self,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeTupleStruct, Stop> {
            Err(Stop)
        }

        fn serialize_tuple_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeTupleVariant, Stop> {
            Err(Stop)
        }

        fn serialize_struct_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeStructVariant, Stop> {
            Err(Stop)
        }
    };
}

/// The scalar serializer methods but `serialize_str`, each answering
/// `$answer` without looking further.
macro_rules! scalars {
    ($answer:expr) => {
        scalars!($answer;
            serialize_bool(bool),
            serialize_i8(i8),
            serialize_i16(i16),
            serialize_i32(i32),
            serialize_i64(i64),
            serialize_u8(u8),
            serialize_u16(u16),
            serialize_u32(u32),
            serialize_u64(u64),
            serialize_f32(f32),
            serialize_f64(f64),
            serialize_char(char),
            serialize_bytes(&[u8]),
            serialize_none(),
            serialize_unit(),
            serialize_unit_struct(&'static str),
            serialize_unit_variant(&'static str, u32, &'static str)
        );
    };
    ($answer:expr; $($method:ident($($arg:ty),*)),*) => {
        $(fn $method(self, $(_: $arg),*) -> Result<Self::Ok, Self::Error> {
            $answer
        })*
    };
}

impl ser::Serializer for &mut Fields<'_> {
    type Ok = ();
    type Error = Stop;
    type SerializeSeq = Impossible<(), Stop>;
    type SerializeTuple = Impossible<(), Stop>;
    type SerializeTupleStruct = Impossible<(), Stop>;
    type SerializeTupleVariant = Impossible<(), Stop>;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Impossible<(), Stop>;

    // Anything but an object stops the probe.
    scalars!(Err(Stop));

    fn serialize_str(self, _: &str) -> Result<(), Stop> {
        Err(Stop)
    }

    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<(), Stop> {
        Err(Stop)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Stop> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Stop> {
        Err(Stop)
    }

    not_objects!();

    fn serialize_map(self, _: Option<usize>) -> Result<Self, Stop> {
        Ok(self)
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, Stop> {
        Ok(self)
    }
}

impl ser::SerializeStruct for &mut Fields<'_> {
    type Ok = ();
    type Error = Stop;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Stop> {
        // Only a field the enricher knows is looked at: the others' values
        // are never serialized.
        if let Some(index) = self.index(key) {
            self.field(index, value);
        }
        Ok(())
    }

    fn end(self) -> Result<(), Stop> {
        Ok(())
    }
}

impl ser::SerializeMap for &mut Fields<'_> {
    type Ok = ();
    type Error = Stop;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Stop> {
        let names = self.names;
        self.key = key.serialize(Str(|k: &str| names.iter().position(|(_, n)| n == k)))?;
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Stop> {
        if let Some(index) = self.key.take() {
            self.field(index, value);
        }
        Ok(())
    }

    fn end(self) -> Result<(), Stop> {
        Ok(())
    }
}

/// What `.0` makes of a string value (through `Some` and newtypes); any
/// other value is `None`.
struct Str<F>(F);

impl<F: FnOnce(&str) -> Option<usize>> ser::Serializer for Str<F> {
    type Ok = Option<usize>;
    type Error = Stop;
    type SerializeSeq = Impossible<Option<usize>, Stop>;
    type SerializeTuple = Impossible<Option<usize>, Stop>;
    type SerializeTupleStruct = Impossible<Option<usize>, Stop>;
    type SerializeTupleVariant = Impossible<Option<usize>, Stop>;
    type SerializeMap = Impossible<Option<usize>, Stop>;
    type SerializeStruct = Impossible<Option<usize>, Stop>;
    type SerializeStructVariant = Impossible<Option<usize>, Stop>;

    fn serialize_str(self, v: &str) -> Result<Option<usize>, Stop> {
        Ok((self.0)(v))
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Option<usize>, Stop> {
        value.serialize(self)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<Option<usize>, Stop> {
        value.serialize(self)
    }

    scalars!(Ok(None));

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Option<usize>, Stop> {
        Ok(None)
    }

    not_objects!();

    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Stop> {
        Err(Stop)
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Stop> {
        Err(Stop)
    }
}
