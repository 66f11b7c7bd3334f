//! Decoding untrusted pictures (avatars, shared images, CAPTCHA images) without letting a
//! hostile file exhaust memory or CPU: the file size is checked first, the format is guessed from
//! the content and only PNG, JPEG, GIF and WebP are accepted, the dimensions are read from the
//! header and refused before any pixel buffer exists, and the decoder itself runs under the
//! image crate's limits as a second line of defence.

use std::io::Cursor;
use std::time::Duration;

use image::error::LimitErrorKind;
use image::imageops::FilterType;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader};

/// A picture at least this many times larger than its box is shrunk with the fast area average
/// (`thumbnail`, every source pixel counts once); closer to the box that average aliases, so a
/// proper filter is used instead, which costs more per source pixel.
const AREA_AVERAGE_FROM_RATIO: u32 = 2;

const MIB: usize = 1024 * 1024;
/// How many pixels a file of the format may cover per byte it holds. Past that it was cut
/// short or made to look big, or it is a vast flat canvas; either way the decoder would fill in
/// millions of pixels and the thumbnail shrink them: seconds of work for a few dozen bytes
/// (found by fuzzing: 652 bytes of JPEG claiming 44 Mpx took 4 s, 100 bytes of GIF with a
/// 24 Mpx canvas 3.4 s, 40 bytes of lossless WebP as an avatar 1.9 s). With the bound a byte
/// buys at most a fraction of a millisecond of decoding.
///
/// A JPEG codes every 8×8 block in a few bits at least: a flat grey 12 Mpx picture from the
/// image crate takes 321 KiB, a byte per 37 pixels. The others get 4,096: a GIF's LZW code
/// stands for at most 4,096 pixels in up to 12 bits (~2,700 a byte; a flat 3 Mpx GIF: 929),
/// deflate packs at most 1,032 bytes into one (a flat RGB PNG: ~340 pixels a byte), and a
/// real photo or screenshot in any format is far below that.
fn max_pixels_per_byte(format: ImageFormat) -> u64 {
    match format {
        ImageFormat::Jpeg => 256,
        _ => 4096,
    }
}

/// How much of what a picture may cost is allowed: bytes on the wire, pixels, and memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    max_file_bytes: usize,
    max_pixels: u64,
    max_side: u32,
    max_alloc: u64,
}

impl Limits {
    /// Contact avatars (XEP-0084, XEP-0153). XEP-0153 §4.6 asks for 32 to 96 pixels in under
    /// 8 KB, but clients publish whatever the user picked, so this allows a 1 MiB file up to
    /// 4096×4096 (16.7 Mpx, 64 MiB as RGBA). Avatars arrive unasked from anyone in the roster
    /// or a room, hence much less than for images someone chose to open. 128 MiB of decoder
    /// memory leaves room for a 16-bit PNG at the full size.
    pub const AVATAR: Limits = Limits {
        max_file_bytes: MIB,
        max_pixels: 4096 * 4096,
        max_side: 4096,
        max_alloc: 128 * MIB as u64,
    };

    /// Shared images (XEP-0363 uploads, XEP-0385 SIMS) and pictures the user picks. 25 MiB and
    /// 50 Mpx cover photos from current phone cameras (48 to 50 Mpx sensors); 16384 pixels per
    /// side allows long panoramas and screenshots. A 50 Mpx picture takes 200 MB as 8-bit
    /// RGBA, which 256 MiB of decoder memory allows; 16-bit pictures that big (400 MB) are
    /// refused rather than decoded.
    pub const IMAGE: Limits = Limits {
        max_file_bytes: 25 * MIB,
        max_pixels: 50_000_000,
        max_side: 16384,
        max_alloc: 256 * MIB as u64,
    };

    /// The largest file accepted, so a download can stop reading once past it instead of
    /// buffering a file that [`decode`] will refuse anyway.
    pub const fn max_file_bytes(&self) -> usize {
        self.max_file_bytes
    }

    /// Whether a picture of this size is within the pixel and side limits.
    fn allows(&self, width: u32, height: u32) -> bool {
        width <= self.max_side
            && height <= self.max_side
            && u64::from(width) * u64::from(height) <= self.max_pixels
    }

    /// The image crate's limits: its decoders refuse larger sides themselves and count their
    /// allocations against `max_alloc`, in case a header lied or a frame is bigger than the
    /// picture it belongs to.
    fn for_decoder(&self) -> image::Limits {
        let mut limits = self.for_header();
        limits.max_image_width = Some(self.max_side);
        limits.max_image_height = Some(self.max_side);
        limits
    }

    /// The image crate's limits while only the header is read: no side limits, so a too large
    /// picture reaches our own check and the user learns its size, but the memory bound stays.
    fn for_header(&self) -> image::Limits {
        let mut limits = image::Limits::default();
        limits.max_alloc = Some(self.max_alloc);
        limits
    }
}

/// A decoded picture as 8-bit RGBA rows, top to bottom, ready for
/// `iced::widget::image::Handle::from_rgba(width, height, rgba)`.
#[derive(Clone, PartialEq, Eq)]
pub struct Picture {
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
}

/// Prints the size instead of millions of pixel bytes (pictures travel in UI messages, which
/// are logged with `{:?}`).
impl std::fmt::Debug for Picture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Picture")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("rgba", &format_args!("<{} bytes>", self.rgba.len()))
            .finish()
    }
}

/// Why a picture cannot be shown. The texts are meant for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("the picture file is too large ({} KiB, at most {} KiB)", bytes / 1024, limit / 1024)]
    TooLarge { bytes: usize, limit: usize },
    #[error("the picture is too big to show ({width}×{height} pixels)")]
    TooManyPixels { width: u32, height: u32 },
    #[error("not a picture Confab can show (PNG, JPEG, GIF and WebP are supported)")]
    UnknownFormat,
    #[error("the picture is damaged: {0}")]
    Broken(String),
    #[error("the picture took too long to decode")]
    TimedOut,
}

/// Decodes an untrusted picture and shrinks it, keeping its aspect ratio, to fit in a
/// `box_side`×`box_side` square (never enlarged, as XEP-0084 §7.3 asks for avatars; a zero
/// box counts as one pixel). Animated
/// pictures give their first frame; the EXIF orientation of photos is applied.
pub fn decode(bytes: &[u8], limits: &Limits, box_side: u32) -> Result<Picture, DecodeError> {
    let box_side = box_side.max(1);
    let image = decode_and_shrink(bytes, limits, |image| fit_in_box(image, box_side))?;
    let (width, height) = (image.width(), image.height());
    Ok(Picture { width, height, rgba: image.into_rgba8().into_raw() })
}

/// [`decode`] on tokio's blocking pool, given at most `budget`. On time-out the decoding thread
/// cannot be stopped: it finishes in the background within the memory limits and its result is
/// dropped, so callers should bound how many decodes they start. A panic in the decoder becomes
/// [`DecodeError::Broken`].
pub async fn decode_off_thread(
    bytes: Vec<u8>,
    limits: Limits,
    box_side: u32,
    budget: Duration,
) -> Result<Picture, DecodeError> {
    off_thread(budget, move || decode(&bytes, &limits, box_side)).await
}

/// Runs `work` on the blocking pool under a time budget; see [`decode_off_thread`].
async fn off_thread<T, F>(budget: Duration, work: F) -> Result<T, DecodeError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, DecodeError> + Send + 'static,
{
    match tokio::time::timeout(budget, tokio::task::spawn_blocking(work)).await {
        Err(_elapsed) => Err(DecodeError::TimedOut),
        Ok(Err(join_error)) => {
            Err(DecodeError::Broken(format!("the decoder crashed ({join_error})")))
        }
        Ok(Ok(result)) => result,
    }
}

/// Checks and decodes the first frame at full size, lets `shrink` make it smaller, then applies
/// the EXIF orientation (after shrinking, since rotating a smaller picture is cheaper; `shrink`
/// must therefore not depend on which way up the picture is, as fitting in a square or cutting
/// out the centre square don't).
pub(crate) fn decode_and_shrink(
    bytes: &[u8],
    limits: &Limits,
    shrink: impl FnOnce(DynamicImage) -> DynamicImage,
) -> Result<DynamicImage, DecodeError> {
    if bytes.len() > limits.max_file_bytes {
        return Err(DecodeError::TooLarge { bytes: bytes.len(), limit: limits.max_file_bytes });
    }
    let format = guess_format(bytes)?;

    // First pass: the header only, so a picture claiming a huge size is refused before any
    // pixel buffer is allocated.
    let mut header = ImageReader::with_format(Cursor::new(bytes), format);
    header.limits(limits.for_header());
    let (width, height) = header.into_dimensions().map_err(broken)?;
    if !limits.allows(width, height) {
        return Err(DecodeError::TooManyPixels { width, height });
    }
    if width == 0 || height == 0 {
        return Err(DecodeError::Broken("the picture has no pixels".into()));
    }
    let pixels = u64::from(width) * u64::from(height);
    if pixels > bytes.len() as u64 * max_pixels_per_byte(format) {
        return Err(DecodeError::Broken("there is too little data for its size".into()));
    }

    // Second pass: decode, as `ImageReader::decode` does (the output buffer is counted against
    // the memory limit and the decoder gets what is left), but keeping the orientation.
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits.for_decoder());
    let mut decoder = reader.into_decoder().map_err(broken)?;
    // A broken EXIF block is no reason to refuse the picture: it is shown as stored.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut budget = limits.for_decoder();
    budget
        .reserve(decoder.total_bytes())
        .map_err(|_| DecodeError::TooManyPixels { width, height })?;
    decoder.set_limits(budget).map_err(broken)?;
    let image = DynamicImage::from_decoder(decoder).map_err(broken)?;

    let mut image = shrink(image);
    image.apply_orientation(orientation);
    Ok(image)
}

/// The format from the first bytes, whatever the file claims to be; only the four formats
/// chat clients send are accepted.
fn guess_format(bytes: &[u8]) -> Result<ImageFormat, DecodeError> {
    match image::guess_format(bytes) {
        Ok(
            format @ (ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::Gif | ImageFormat::WebP),
        ) => Ok(format),
        _ => Err(DecodeError::UnknownFormat),
    }
}

/// Any decoder error past the checks above: the file is damaged or uses a feature the decoder
/// lacks. A memory limit hit inside the decoder lands here too, as it means the data disagreed
/// with the header that passed the checks.
fn broken(error: ImageError) -> DecodeError {
    match error {
        ImageError::Limits(limit) if limit.kind() == LimitErrorKind::InsufficientMemory => {
            DecodeError::Broken("it needs more memory than its size allows".into())
        }
        other => DecodeError::Broken(other.to_string()),
    }
}

/// Shrinks to fit in a square box keeping the aspect ratio; never enlarges.
pub(crate) fn fit_in_box(image: DynamicImage, box_side: u32) -> DynamicImage {
    let (width, height) = (image.width(), image.height());
    if width <= box_side && height <= box_side {
        image
    } else if width.max(height) >= box_side.saturating_mul(AREA_AVERAGE_FROM_RATIO) {
        image.thumbnail(box_side, box_side)
    } else {
        image.resize(box_side, box_side, FilterType::Triangle)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage};
    use std::time::Instant;

    #[test]
    fn a_jpeg_far_smaller_than_its_size_is_refused_before_decoding() {
        let bytes = include_bytes!("../../../../fuzz/corpus/image_decode/jpeg-44mp-in-652-bytes");
        let started = Instant::now();
        let refused = decode(bytes, &Limits::IMAGE, 256);
        assert_eq!(
            refused,
            Err(DecodeError::Broken("there is too little data for its size".into())),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn a_gif_far_smaller_than_its_canvas_is_refused_before_decoding() {
        let bytes = include_bytes!("../../../../fuzz/corpus/image_decode/gif-24mp-in-100-bytes");
        let refused = decode(bytes, &Limits::IMAGE, 256);
        assert_eq!(
            refused,
            Err(DecodeError::Broken("there is too little data for its size".into()))
        );
    }

    #[test]
    fn a_tiny_webp_claiming_a_big_picture_is_refused_before_decoding() {
        let bytes = include_bytes!("../../../../fuzz/corpus/avatar/webp-lossless-in-40-bytes");
        let refused = decode(bytes, &Limits::IMAGE, 96);
        assert_eq!(
            refused,
            Err(DecodeError::Broken("there is too little data for its size".into()))
        );
    }

    #[test]
    fn a_flat_png_screenshot_is_not_too_small_for_its_size() {
        let flat = DynamicImage::ImageRgb8(RgbImage::from_pixel(3840, 2160, Rgb([255, 255, 255])));
        let bytes = encode(&flat, ImageFormat::Png);
        let shown = decode(&bytes, &Limits::IMAGE, 64).expect("a real PNG, however flat");
        assert_eq!((shown.width, shown.height), (64, 36), "{} bytes", bytes.len());
    }

    #[test]
    fn a_flat_gif_is_not_too_small_for_its_size() {
        let flat = DynamicImage::ImageRgb8(RgbImage::from_pixel(2000, 1500, Rgb([200, 30, 30])));
        let bytes = encode(&flat, ImageFormat::Gif);
        let shown = decode(&bytes, &Limits::IMAGE, 64).expect("a real GIF, however flat");
        assert_eq!((shown.width, shown.height), (64, 48), "{} bytes", bytes.len());
    }

    #[test]
    fn a_flat_grey_photo_is_not_too_small_for_its_size() {
        let grey = DynamicImage::ImageRgb8(RgbImage::from_pixel(4000, 3000, Rgb([128, 128, 128])));
        let bytes = encode(&grey, ImageFormat::Jpeg);
        let shown = decode(&bytes, &Limits::IMAGE, 64).expect("a real JPEG, however flat");
        assert_eq!((shown.width, shown.height), (64, 48), "{} bytes", bytes.len());
    }

    /// A picture with some detail, so every codec has something to compress.
    fn gradient(width: u32, height: u32) -> DynamicImage {
        DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, y| {
            Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
        }))
    }

    fn encode(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
        let mut bytes = Vec::new();
        let written = image.write_to(Cursor::new(&mut bytes), format);
        assert!(written.is_ok(), "encoding {format:?}: {written:?}");
        bytes
    }

    /// CRC-32 as PNG chunks use it (ISO 3309, reflected, polynomial 0xEDB88320).
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &byte in data {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }

    /// A valid 1×1 PNG whose IHDR (with a correct CRC) claims another size: a decompression
    /// bomb's header without the bomb.
    fn png_claiming(width: u32, height: u32) -> Vec<u8> {
        let mut png = encode(&gradient(1, 1), ImageFormat::Png);
        // Signature (8), IHDR length (4), "IHDR" (4), then width and height.
        assert_eq!(&png[12..16], b"IHDR");
        png[16..20].copy_from_slice(&width.to_be_bytes());
        png[20..24].copy_from_slice(&height.to_be_bytes());
        let crc = crc32(&png[12..29]);
        png[29..33].copy_from_slice(&crc.to_be_bytes());
        png
    }

    #[test]
    fn every_accepted_format_decodes_at_its_size() {
        for format in [ImageFormat::Png, ImageFormat::Jpeg, ImageFormat::Gif, ImageFormat::WebP] {
            let bytes = encode(&gradient(40, 30), format);
            let picture = decode(&bytes, &Limits::AVATAR, 100);
            let picture = picture.unwrap_or_else(|e| panic!("{format:?}: {e}"));
            assert_eq!((picture.width, picture.height), (40, 30), "{format:?}");
            assert_eq!(picture.rgba.len(), 40 * 30 * 4, "{format:?}");
        }
    }

    #[test]
    fn the_pixels_survive() {
        let bytes = encode(&gradient(3, 2), ImageFormat::Png);
        let picture = decode(&bytes, &Limits::AVATAR, 10).unwrap_or_else(|e| panic!("{e}"));
        // Pixel (2, 1): red 2, green 1, blue 3, opaque.
        assert_eq!(&picture.rgba[(3 + 2) * 4..(3 + 2) * 4 + 4], &[2, 1, 3, 255]);
    }

    #[test]
    fn large_pictures_shrink_into_the_box_keeping_their_shape() {
        let bytes = encode(&gradient(1000, 500), ImageFormat::Png);
        let picture = decode(&bytes, &Limits::AVATAR, 100).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((picture.width, picture.height), (100, 50));
        assert_eq!(picture.rgba.len(), 100 * 50 * 4);

        // Close to the box: the filtered path.
        let bytes = encode(&gradient(150, 300), ImageFormat::Jpeg);
        let picture = decode(&bytes, &Limits::AVATAR, 200).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((picture.width, picture.height), (100, 200));
    }

    #[test]
    fn photos_are_turned_the_way_their_exif_says() {
        use image::ImageEncoder;
        use image::codecs::jpeg::JpegEncoder;
        // A little-endian TIFF block whose only entry is Orientation (0x0112) = 6, "rotate 90°
        // clockwise", as phone cameras write for portrait photos.
        let exif = [
            b"II*\0".as_slice(),
            &8u32.to_le_bytes(),
            &1u16.to_le_bytes(),
            &[0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0],
            &0u32.to_le_bytes(),
        ]
        .concat();
        let mut bytes = Vec::new();
        let mut encoder = JpegEncoder::new(&mut bytes);
        assert!(encoder.set_exif_metadata(exif).is_ok());
        let image = gradient(40, 20).into_rgb8();
        let written = encoder.write_image(&image, 40, 20, image::ExtendedColorType::Rgb8);
        assert!(written.is_ok(), "{written:?}");

        let picture = decode(&bytes, &Limits::AVATAR, 100).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((picture.width, picture.height), (20, 40));
    }

    #[test]
    fn small_pictures_are_not_enlarged() {
        let bytes = encode(&gradient(20, 10), ImageFormat::Png);
        let picture = decode(&bytes, &Limits::AVATAR, 100).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((picture.width, picture.height), (20, 10));
    }

    #[test]
    fn a_zero_box_gives_one_pixel() {
        let bytes = encode(&gradient(20, 20), ImageFormat::Png);
        let picture = decode(&bytes, &Limits::AVATAR, 0).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((picture.width, picture.height), (1, 1));
    }

    #[test]
    fn a_decompression_bomb_is_refused_from_its_header() {
        let bomb = png_claiming(60_000, 60_000);
        let started = Instant::now();
        let result = decode(&bomb, &Limits::IMAGE, 100);
        assert_eq!(result, Err(DecodeError::TooManyPixels { width: 60_000, height: 60_000 }));
        // 3.6 Gpx would take many seconds (and 14 GB) to decode.
        assert!(started.elapsed() < Duration::from_secs(1));
    }

    #[test]
    fn a_side_over_the_limit_is_refused_even_with_few_pixels() {
        let bytes = png_claiming(4097, 1);
        let result = decode(&bytes, &Limits::AVATAR, 100);
        assert_eq!(result, Err(DecodeError::TooManyPixels { width: 4097, height: 1 }));
    }

    #[test]
    fn a_header_that_lies_about_the_size_is_broken() {
        // Within the limits, but the data holds a single pixel.
        let bytes = png_claiming(300, 200);
        assert!(matches!(decode(&bytes, &Limits::AVATAR, 100), Err(DecodeError::Broken(_))));
    }

    #[test]
    fn a_truncated_jpeg_does_not_panic() {
        let bytes = encode(&gradient(64, 64), ImageFormat::Jpeg);
        for cut in [bytes.len() / 2, 200, 20, 3] {
            match decode(&bytes[..cut], &Limits::AVATAR, 100) {
                Ok(picture) => {
                    assert_eq!((picture.width, picture.height), (64, 64));
                    assert_eq!(picture.rgba.len(), 64 * 64 * 4);
                }
                Err(DecodeError::Broken(_) | DecodeError::UnknownFormat) => {}
                Err(other) => panic!("cut at {cut}: {other}"),
            }
        }
    }

    #[test]
    fn garbage_and_other_formats_are_unknown() {
        let garbage: Vec<u8> =
            (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 7) as u8).collect();
        assert_eq!(decode(&garbage, &Limits::AVATAR, 100), Err(DecodeError::UnknownFormat));
        assert_eq!(decode(&[], &Limits::AVATAR, 100), Err(DecodeError::UnknownFormat));
        // A BMP header: recognised by the image crate, but not a format we accept.
        let bmp = b"BM\x3a\0\0\0\0\0\0\0\x36\0\0\0\x28\0\0\0\x01\0\0\0\x01\0\0\0\x01\0\x18\0";
        assert_eq!(decode(bmp, &Limits::AVATAR, 100), Err(DecodeError::UnknownFormat));
    }

    #[test]
    fn oversized_files_are_refused_before_looking_inside() {
        let mut bytes = encode(&gradient(8, 8), ImageFormat::Png);
        bytes.resize(Limits::AVATAR.max_file_bytes() + 1, 0);
        let limit = Limits::AVATAR.max_file_bytes();
        assert_eq!(
            decode(&bytes, &Limits::AVATAR, 100),
            Err(DecodeError::TooLarge { bytes: limit + 1, limit })
        );
    }

    #[test]
    fn error_texts_are_readable() {
        let too_large = DecodeError::TooLarge { bytes: 2 * MIB, limit: MIB };
        assert_eq!(
            too_large.to_string(),
            "the picture file is too large (2048 KiB, at most 1024 KiB)"
        );
        let too_many = DecodeError::TooManyPixels { width: 60_000, height: 60_000 };
        assert_eq!(too_many.to_string(), "the picture is too big to show (60000×60000 pixels)");
    }

    #[test]
    fn debug_output_leaves_the_pixels_out() {
        let picture = Picture { width: 2, height: 1, rgba: vec![0; 8] };
        assert_eq!(format!("{picture:?}"), "Picture { width: 2, height: 1, rgba: <8 bytes> }");
    }

    #[tokio::test]
    async fn off_thread_decodes() {
        let bytes = encode(&gradient(300, 150), ImageFormat::Png);
        let picture = decode_off_thread(bytes, Limits::AVATAR, 60, Duration::from_secs(30)).await;
        let picture = picture.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((picture.width, picture.height), (60, 30));
    }

    #[tokio::test]
    async fn off_thread_errors_pass_through() {
        let result =
            decode_off_thread(vec![1, 2, 3], Limits::AVATAR, 60, Duration::from_secs(30)).await;
        assert_eq!(result, Err(DecodeError::UnknownFormat));
    }

    #[tokio::test]
    async fn a_slow_decode_times_out() {
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let result = off_thread(Duration::from_millis(20), move || {
            // Blocks until the test is done with it, so the runtime can shut down.
            let _ = wait.recv();
            Ok(())
        })
        .await;
        assert_eq!(result, Err(DecodeError::TimedOut));
        drop(release);
    }

    #[tokio::test]
    async fn a_panicking_decoder_is_broken_not_fatal() {
        let result: Result<(), _> =
            off_thread(Duration::from_secs(30), || panic!("decoder bug")).await;
        assert!(matches!(result, Err(DecodeError::Broken(_))), "{result:?}");
    }
}
