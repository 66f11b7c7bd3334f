//! The user's own avatar, made ready for publishing (XEP-0084 user avatar, XEP-0153 vCard
//! photo): whatever picture the user picks becomes a small square PNG and its SHA-1, which
//! both XEPs use as the avatar's id.

use std::io::Cursor;

use image::{DynamicImage, ImageFormat};

use super::avatar_cache::sha1_hex;
use super::decode::{DecodeError, Limits, decode_and_shrink, fit_in_box};

/// The side of the published square, in pixels. XEP-0153 §4.6 asks for 32 to 96 and XEP-0084
/// sets no size; 192 keeps an avatar shown at 96 sharp on a screen at twice the scale, and
/// its PNG (tens of kilobytes for a photo) still fits in one stanza.
const AVATAR_SIDE: u32 = 192;

/// An avatar ready to publish: the PNG bytes (XEP-0084 §4.1: the data node holds `image/png`
/// only), its size, and the
/// lowercase hex SHA-1 of the bytes, which is the XEP-0084 item id and the XEP-0153 photo hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedAvatar {
    pub png: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub sha1: String,
}

/// Turns a picture the user chose into an avatar: decoded with [`Limits::IMAGE`] (it may be a
/// camera photo), the centre square cut out, shrunk to at most 192×192 (never enlarged),
/// turned upright from its EXIF orientation and encoded as PNG. Re-encoding also drops the
/// photo's metadata, such as where it was taken.
pub fn prepare_avatar(bytes: &[u8]) -> Result<PreparedAvatar, DecodeError> {
    let image = decode_and_shrink(bytes, &Limits::IMAGE, |image| {
        fit_in_box(centre_square(&image), AVATAR_SIDE)
    })?;
    let image = DynamicImage::ImageRgba8(image.into_rgba8());
    let mut png = Vec::new();
    image
        .write_to(Cursor::new(&mut png), ImageFormat::Png)
        .map_err(|e| DecodeError::Broken(format!("cannot encode the avatar: {e}")))?;
    let sha1 = sha1_hex(&png);
    Ok(PreparedAvatar { png, width: image.width(), height: image.height(), sha1 })
}

/// The largest square in the middle of the picture.
fn centre_square(image: &DynamicImage) -> DynamicImage {
    let side = image.width().min(image.height());
    let x = (image.width() - side) / 2;
    let y = (image.height() - side) / 2;
    image.crop_imm(x, y, side, side)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage, Rgba};

    fn encode(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
        let mut bytes = Vec::new();
        let written = image.write_to(Cursor::new(&mut bytes), format);
        assert!(written.is_ok(), "encoding {format:?}: {written:?}");
        bytes
    }

    fn prepare(bytes: &[u8]) -> PreparedAvatar {
        prepare_avatar(bytes).unwrap_or_else(|e| panic!("{e}"))
    }

    fn load_png(bytes: &[u8]) -> DynamicImage {
        image::load_from_memory_with_format(bytes, ImageFormat::Png)
            .unwrap_or_else(|e| panic!("the avatar is not a valid PNG: {e}"))
    }

    #[test]
    fn a_photo_becomes_a_192_pixel_png_named_by_its_sha1() {
        let photo = DynamicImage::ImageRgb8(RgbImage::from_fn(400, 300, |x, y| {
            Rgb([(x % 256) as u8, (y % 256) as u8, 128])
        }));
        let avatar = prepare(&encode(&photo, ImageFormat::Jpeg));
        assert_eq!((avatar.width, avatar.height), (192, 192));
        assert_eq!(image::guess_format(&avatar.png).ok(), Some(ImageFormat::Png));
        assert_eq!(avatar.sha1, sha1_hex(&avatar.png));
        let decoded = load_png(&avatar.png);
        assert_eq!((decoded.width(), decoded.height()), (192, 192));
    }

    #[test]
    fn the_centre_is_kept() {
        // Red, green and blue thirds: only green is left once the sides are cut.
        let flag = DynamicImage::ImageRgb8(RgbImage::from_fn(300, 100, |x, _| match x / 100 {
            0 => Rgb([255, 0, 0]),
            1 => Rgb([0, 255, 0]),
            _ => Rgb([0, 0, 255]),
        }));
        let avatar = prepare(&encode(&flag, ImageFormat::Png));
        assert_eq!((avatar.width, avatar.height), (100, 100));
        let decoded = load_png(&avatar.png).into_rgba8();
        for (x, y) in [(0, 0), (99, 0), (50, 50), (0, 99), (99, 99)] {
            assert_eq!(decoded.get_pixel(x, y), &Rgba([0, 255, 0, 255]), "at ({x}, {y})");
        }
    }

    #[test]
    fn small_pictures_are_not_enlarged_and_keep_transparency() {
        let icon =
            DynamicImage::ImageRgba8(image::RgbaImage::from_pixel(60, 80, Rgba([10, 20, 30, 0])));
        let avatar = prepare(&encode(&icon, ImageFormat::Png));
        assert_eq!((avatar.width, avatar.height), (60, 60));
        assert_eq!(load_png(&avatar.png).into_rgba8().get_pixel(30, 30)[3], 0);
    }

    #[test]
    fn what_cannot_be_decoded_is_refused() {
        assert_eq!(prepare_avatar(b"not a picture at all"), Err(DecodeError::UnknownFormat));
    }
}
