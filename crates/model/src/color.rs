//! XEP-0392 consistent colours: the same person gets the same colour in every client, derived
//! from their address. The hue comes from SHA-1 of the identifier (§5.1); the colour is that
//! hue at full saturation and half lightness in HSLuv (§5.2), which keeps brightness even
//! across hues.

use sha1::{Digest, Sha1};

/// The hue angle in degrees for an identifier (XEP-0392 §5.1).
pub fn hue(identifier: &str) -> f64 {
    let digest = Sha1::digest(identifier.as_bytes());
    let value = u16::from_le_bytes([digest[0], digest[1]]);
    f64::from(value) / 65536.0 * 360.0
}

/// The colour for an identifier as linear-to-sRGB components in 0..=1.
pub fn rgb(identifier: &str) -> [f64; 3] {
    hsluv_to_rgb(hue(identifier), 100.0, 50.0)
}

const M: [[f64; 3]; 3] = [
    [3.240969941904521, -1.537383177570093, -0.498610760293],
    [-0.96924363628087, 1.87596750150772, 0.041555057407175],
    [0.055630079696993, -0.20397695888897, 1.056971514242878],
];
const REF_U: f64 = 0.19783000664283;
const REF_V: f64 = 0.46831999493879;
const KAPPA: f64 = 903.2962962;
const EPSILON: f64 = 0.0088564516;

fn hsluv_to_rgb(h: f64, s: f64, l: f64) -> [f64; 3] {
    let c = if (1e-8..=99.9999999).contains(&l) { max_chroma(l, h) / 100.0 * s } else { 0.0 };
    let hrad = h.to_radians();
    let (u, v) = (hrad.cos() * c, hrad.sin() * c);
    let [x, y, z] = luv_to_xyz(l, u, v);
    M.map(|row| from_linear(row[0] * x + row[1] * y + row[2] * z).clamp(0.0, 1.0))
}

/// The largest chroma that stays inside sRGB for this lightness and hue.
fn max_chroma(l: f64, h: f64) -> f64 {
    let hrad = h.to_radians();
    let sub1 = (l + 16.0).powi(3) / 1_560_896.0;
    let sub2 = if sub1 > EPSILON { sub1 } else { l / KAPPA };
    let mut best = f64::MAX;
    for [m1, m2, m3] in M {
        for t in [0.0, 1.0] {
            let top1 = (284_517.0 * m1 - 94_839.0 * m3) * sub2;
            let top2 =
                (838_422.0 * m3 + 769_860.0 * m2 + 731_718.0 * m1) * l * sub2 - 769_860.0 * t * l;
            let bottom = (632_260.0 * m3 - 126_452.0 * m2) * sub2 + 126_452.0 * t;
            let (slope, intercept) = (top1 / bottom, top2 / bottom);
            let length = intercept / (hrad.sin() - slope * hrad.cos());
            if length >= 0.0 {
                best = best.min(length);
            }
        }
    }
    best
}

fn luv_to_xyz(l: f64, u: f64, v: f64) -> [f64; 3] {
    if l == 0.0 {
        return [0.0; 3];
    }
    let var_u = u / (13.0 * l) + REF_U;
    let var_v = v / (13.0 * l) + REF_V;
    let y = if l <= 8.0 { l / KAPPA } else { ((l + 16.0) / 116.0).powi(3) };
    let x = -(9.0 * y * var_u) / ((var_u - 4.0) * var_v - var_u * var_v);
    let z = (9.0 * y - 15.0 * var_v * y - var_v * x) / (3.0 * var_v);
    [x, y, z]
}

fn from_linear(c: f64) -> f64 {
    if c <= 0.0031308 { 12.92 * c } else { 1.055 * c.powf(1.0 / 2.4) - 0.055 }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Test vectors from XEP-0392 §A.
    #[test]
    fn matches_the_specification_vectors() {
        let cases = [
            ("Romeo", 327.255249, [0.865, 0.000, 0.686]),
            ("juliet@capulet.lit", 209.410400, [0.000, 0.515, 0.573]),
            ("😺", 331.199341, [0.872, 0.000, 0.659]),
            ("council", 359.994507, [0.918, 0.000, 0.394]),
        ];
        for (input, angle, expected) in cases {
            assert!((hue(input) - angle).abs() < 1e-4, "{input}: hue {}", hue(input));
            let got = rgb(input);
            for (g, e) in got.iter().zip(expected) {
                assert!((g - e).abs() < 0.002, "{input}: {got:?} != {expected:?}");
            }
        }
    }
}
