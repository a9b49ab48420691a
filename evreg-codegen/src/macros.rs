//! The logic of `evreg-macros` (which only forwards to these functions), so
//! that it is tested without a compiler plugin.

use proc_macro2::TokenStream;
use quote::quote;

/// `include_catalog!("catalog")`: the catalog's module, from a folder
/// relative to the including crate's `Cargo.toml` (or `EVREG_MANIFEST_DIR`) — the same code as
/// `evreg generate` — plus an `include_bytes!` of every catalog file, so that
/// cargo rebuilds the crate when one changes.
pub fn include_catalog(input: TokenStream) -> TokenStream {
    let lit: syn::LitStr = match syn::parse2(input) {
        Ok(lit) => lit,
        Err(e) => {
            return syn::Error::new(
                e.span(),
                "expected the catalog folder as a string: include_catalog!(\"catalog\")",
            )
            .to_compile_error();
        }
    };
    let dir = crate::derive::manifest_dir().join(lit.value());
    // One thread: proc_macro2 talks to the compiler only from its own thread.
    let generated = match crate::builder::generate_dir_with_threads(&dir, 1) {
        Ok(g) => g,
        Err(e) => {
            return syn::Error::new(lit.span(), e.named(lit.value()).to_string())
                .to_compile_error();
        }
    };
    let code: TokenStream = match generated.code.parse() {
        Ok(code) => code,
        Err(e) => {
            return syn::Error::new(lit.span(), format!("generated code does not lex: {e}"))
                .to_compile_error();
        }
    };
    let files = generated
        .files
        .iter()
        .map(|f| f.to_string_lossy().into_owned());
    quote! {
        #code
        const _: () = {
            #( let _ = ::core::include_bytes!(#files); )*
        };
    }
}
