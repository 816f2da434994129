//! QR codes of offer and request URIs, as `data:` URIs of SVG images (no JavaScript, no
//! extra request, nothing to escape: the image is base64).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use qrcode::QrCode;
use qrcode::render::svg;

/// The QR code of `text` as an `<img src>` value, or an empty string if it does not fit.
pub fn data_uri(text: &str) -> String {
    let Ok(code) = QrCode::new(text.as_bytes()) else {
        return String::new();
    };
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
}
