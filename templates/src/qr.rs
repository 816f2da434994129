//! QR codes of offer and request URIs, as `data:` URIs of SVG images (no JavaScript, no
//! extra request, nothing to escape: the image is base64).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// The QR code of `text` as an `<img src>` value, or an empty string if it does not fit.
pub fn data_uri(text: &str) -> String {
    QrCode::new(text.as_bytes())
        .map(|code| svg_uri(&code))
        .unwrap_or_default()
}

/// The QR code of `text` for paper, or `None` if it does not fit: error-correction level Q
/// (a quarter of the code may be smudged, folded or badly photocopied), else — for a long
/// text Q cannot hold — level M, which still survives a clean print.
pub fn paper_data_uri(text: &str) -> Option<String> {
    QrCode::with_error_correction_level(text.as_bytes(), EcLevel::Q)
        .or_else(|_| QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M))
        .ok()
        .map(|code| svg_uri(&code))
}

fn svg_uri(code: &QrCode) -> String {
    let image = code
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    format!("data:image/svg+xml;base64,{}", STANDARD.encode(image))
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_offer_uri_becomes_an_svg_image() {
        let uri = super::data_uri(
            "openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fexample.org%2Foffers%2Fabc",
        );
        assert!(uri.starts_with("data:image/svg+xml;base64,"));
        assert!(uri.len() > 1000);
    }

    #[test]
    fn paper_takes_a_long_address_and_refuses_one_no_code_holds() {
        let long = format!("HTTP://VERIFIER.EXAMPLE/P/{}", "A".repeat(1800));
        assert!(super::paper_data_uri(&long).is_some());
        assert_eq!(super::paper_data_uri(&"x".repeat(5000)), None);
    }
}
