//! Every example of the shipped catalog and of the code-generation fixtures
//! goes JSON → typed payload → `validate()` → JSON unchanged; every invalid
//! example is refused by deserializing or by `validate()`.

use evreg::Catalog;
use evreg_tests::json_eq;
use serde_json::Value;

/// Checks one catalog against its generated module.
macro_rules! roundtrip {
    ($test:ident, $module:path, $dir:expr) => {
        #[test]
        fn $test() {
            use $module as generated;
            let catalog = Catalog::load(concat!(env!("CARGO_MANIFEST_DIR"), "/", $dir))
                .unwrap_or_else(|e| panic!("{e}"));
            let mut checked = 0;
            for (event, version) in catalog.versions() {
                let schema_ref = version.schema_ref.as_str();
                for example in &version.examples {
                    let typed = generated::Event::from_value(schema_ref, example.payload.clone())
                        .unwrap_or_else(|e| {
                            panic!("{schema_ref}: example refused: {e}\n{}", example.payload)
                        });
                    assert_eq!(typed.schema_ref(), schema_ref);
                    assert_eq!(typed.event_type().as_str(), event.event_type);
                    assert_eq!(typed.version(), version.version);
                    typed.validate().unwrap();
                    let back: Value = typed.to_value().unwrap();
                    assert!(
                        json_eq(&back, &example.payload),
                        "{schema_ref}: round trip changed the payload\n{back}\n{}",
                        example.payload
                    );
                    checked += 1;
                }
                for invalid in &version.invalid_examples {
                    let result = generated::Event::from_value(schema_ref, invalid.payload.clone());
                    assert!(
                        result.is_err(),
                        "{schema_ref}: invalid example accepted ({})\n{}",
                        invalid.reason,
                        invalid.payload
                    );
                    checked += 1;
                }
            }
            assert!(checked > 0);
        }
    };
}

roundtrip!(shipped_catalog, evreg_tests::acme, "../catalog");
roundtrip!(
    minimal,
    evreg_tests::fixtures::minimal,
    "fixtures/codegen/minimal"
);
roundtrip!(
    enums,
    evreg_tests::fixtures::enums,
    "fixtures/codegen/enums"
);
roundtrip!(
    nested,
    evreg_tests::fixtures::nested,
    "fixtures/codegen/nested"
);
roundtrip!(
    combinators,
    evreg_tests::fixtures::combinators,
    "fixtures/codegen/combinators"
);
roundtrip!(
    constraints,
    evreg_tests::fixtures::constraints,
    "fixtures/codegen/constraints"
);
roundtrip!(
    strings,
    evreg_tests::fixtures::strings,
    "fixtures/codegen/strings"
);
roundtrip!(
    recursive,
    evreg_tests::fixtures::recursive,
    "fixtures/codegen/recursive"
);
roundtrip!(
    conditionals,
    evreg_tests::fixtures::conditionals,
    "fixtures/codegen/conditionals"
);
