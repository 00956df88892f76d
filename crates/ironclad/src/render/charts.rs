//! Charts of the report as SVG strings, drawn with plotters' SVG backend.
//!
//! Plotters without its `ttf` feature measures text with a crude estimate (0.7 em a byte) and
//! writes text as SVG `<text>` in the generic `sans-serif` family, which the reader's own fonts
//! draw: no font is embedded or fetched. Label areas are therefore sized here from the label
//! lengths, generously. Plotters escapes the text it writes.
//!
//! Every chart starts with its title and a note saying the unit and the uncertainty shown.
//! Colours are the Okabe–Ito palette (readable with the common colour-vision deficiencies),
//! and colour never carries meaning alone: every bar has a text label and series differ in
//! fill (solid or outlined) as well as colour.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// The Okabe–Ito palette (Okabe & Ito 2008), in its usual order.
pub const OKABE_ITO: [RGBColor; 8] = [
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0xF0, 0xE4, 0x42), // yellow
    RGBColor(0x00, 0x00, 0x00), // black
];
pub const BLUE: usize = 0;
pub const ORANGE: usize = 1;
pub const GREEN: usize = 2;
pub const PURPLE: usize = 3;
pub const SKY: usize = 4;
pub const VERMILLION: usize = 5;
pub const YELLOW: usize = 6;
pub const BLACK: usize = 7;

const WIDTH: u32 = 760;
const GREY: RGBColor = RGBColor(0x99, 0x99, 0x99);
const LIGHT: RGBColor = RGBColor(0xE6, 0xE6, 0xE6);
const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);

fn colour(i: usize) -> RGBColor {
    OKABE_ITO[i % OKABE_ITO.len()]
}

/// Text on a dark fill is white, otherwise near-black.
fn ink_on(i: usize) -> RGBColor {
    match i % OKABE_ITO.len() {
        BLUE | VERMILLION | BLACK | PURPLE => WHITE,
        _ => INK,
    }
}

/// A text style of `px` pixels (plotters writes `font-size` as size / 1.24).
fn font(px: f64) -> TextStyle<'static> {
    TextStyle::from(("sans-serif", px * 1.24).into_font()).color(&INK)
}

fn bold(px: f64) -> TextStyle<'static> {
    TextStyle::from(("sans-serif", px * 1.24, FontStyle::Bold).into_font()).color(&INK)
}

fn tinted(mut style: TextStyle<'static>, c: RGBColor) -> TextStyle<'static> {
    style.color = c.to_backend_color();
    style
}

fn anchored(style: TextStyle<'static>, h: HPos, v: VPos) -> TextStyle<'static> {
    style.pos(Pos::new(h, v))
}

/// Estimated width in pixels of `text` at `px` (a little wider than most sans-serif fonts).
fn text_width(text: &str, px: f64) -> i32 {
    (text.chars().count() as f64 * px * 0.64).ceil() as i32
}

/// The widest line of a label that may hold several lines.
fn label_width(text: &str, px: f64) -> i32 {
    text.lines().map(|l| text_width(l, px)).max().unwrap_or(0)
}

/// Draws a label of one or more lines, centred vertically on `y`, right-aligned at `x`.
fn draw_label<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, text: &str, x: i32, y: i32, px: f64) -> Res<()>
where
    DB::ErrorType: 'static,
{
    let lines: Vec<&str> = text.lines().collect();
    let k = lines.len() as i32;
    let step = (px * 1.25).round() as i32;
    for (i, line) in lines.iter().enumerate() {
        let ly = y + (2 * i as i32 - (k - 1)) * step / 2;
        area.draw(&Text::new(line.to_string(), (x, ly), anchored(font(px), HPos::Right, VPos::Center)))?;
    }
    Ok(())
}

/// Draws the title and the note (unit, uncertainty) and returns the area below them.
fn header<'a, DB: DrawingBackend + 'a>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    note: &str,
) -> Res<DrawingArea<DB, Shift>>
where
    DB::ErrorType: 'static,
{
    let width = root.dim_in_pixel().0 as usize;
    let titles = wrap(title, (width - 24) / 9);
    for (i, line) in titles.iter().enumerate() {
        root.draw(&Text::new(line.clone(), (12, 8 + 20 * i as i32), anchored(bold(15.0), HPos::Left, VPos::Top)))?;
    }
    let top = 10 + 20 * titles.len() as i32;
    for (i, line) in wrap(note, (width - 24) / 7).iter().enumerate() {
        root.draw(&Text::new(
            line.clone(),
            (12, top + 16 * i as i32),
            anchored(tinted(font(12.0), RGBColor(0x44, 0x44, 0x44)), HPos::Left, VPos::Top),
        ))?;
    }
    let (_, rest) = root.split_vertically(header_height(title, note, width as u32));
    Ok(rest)
}

fn header_height(title: &str, note: &str, width: u32) -> u32 {
    let width = width as usize;
    16 + 20 * wrap(title, (width - 24) / 9).len() as u32 + 16 * wrap(note, (width - 24) / 7).len() as u32
}

/// Tick labels without needless decimals: whole numbers on wide ranges.
fn tick(v: f64, span: f64) -> String {
    if span >= 20.0 {
        format!("{v:.0}")
    } else if span >= 2.0 {
        format!("{v:.1}")
    } else if span >= 0.2 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

/// Splits text into lines of at most `width` characters at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

fn finish(draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Res<()>, size: (u32, u32)) -> Res<String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        root.fill(&WHITE)?;
        draw(&root)?;
        root.present()?;
    }
    Ok(out)
}

/// One bar: a value with an optional interval, its colour, whether it is outlined rather than
/// filled, and the text written beside it.
#[derive(Debug, Clone)]
pub struct Bar {
    pub value: f64,
    pub interval: Option<(f64, f64)>,
    pub colour: usize,
    pub hollow: bool,
    pub text: String,
}

/// A row of the chart: a label and one or more bars (series).
#[derive(Debug, Clone)]
pub struct BarRow {
    pub label: String,
    pub bars: Vec<Bar>,
}

/// A horizontal bar chart with intervals.
#[derive(Debug, Clone)]
pub struct BarChart {
    pub title: String,
    /// What the bars and whiskers are, with the unit.
    pub note: String,
    pub axis: String,
    pub rows: Vec<BarRow>,
    /// The x range; widened to hold every interval.
    pub range: (f64, f64),
    /// A vertical reference line (e.g. the requirement) and its label.
    pub reference: Option<(f64, String)>,
    /// Legend entries: colour, hollow, text.
    pub legend: Vec<(usize, bool, String)>,
}

const BAR_ROW: i32 = 24;

/// Draws a [`BarChart`].
pub fn bar_chart(c: &BarChart) -> Res<String> {
    let bars_per_row = c.rows.iter().map(|r| r.bars.len()).max().unwrap_or(1).max(1) as i32;
    let text_lines =
        c.rows.iter().flat_map(|r| r.bars.iter().map(|b| b.text.lines().count())).max().unwrap_or(1) as i32;
    let row_h = (BAR_ROW * bars_per_row).max(15 * text_lines + 6) + 8;
    let n = c.rows.len().max(1) as i32;
    let label_w = c.rows.iter().map(|r| label_width(&r.label, 12.0)).max().unwrap_or(40).clamp(40, 330) + 14;
    let value_w =
        c.rows.iter().flat_map(|r| r.bars.iter().map(|b| label_width(&b.text, 11.5))).max().unwrap_or(0).min(300) + 12;
    let legend_h = if c.legend.is_empty() { 0 } else { 26 };
    let head = header_height(&c.title, &c.note, WIDTH) as i32;
    let height = head + 14 + row_h * n + 44 + legend_h;
    let (mut lo, mut hi) = c.range;
    for b in c.rows.iter().flat_map(|r| &r.bars) {
        let (l, h) = b.interval.unwrap_or((b.value, b.value));
        lo = lo.min(l).min(b.value);
        hi = hi.max(h).max(b.value);
    }
    if let Some((r, _)) = &c.reference {
        lo = lo.min(*r);
        hi = hi.max(*r);
    }
    if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) {
        hi = lo + 1.0;
    }
    finish(
        |root| {
            let area = header(root, &c.title, &c.note)?;
            let (plot_area, legend_area) = area.split_vertically((area.dim_in_pixel().1 as i32 - legend_h).max(1));
            let mut chart = ChartBuilder::on(&plot_area)
                .margin_top(10)
                .margin_left(8)
                .margin_right(value_w as u32)
                .x_label_area_size(40)
                .y_label_area_size(label_w as u32)
                .build_cartesian_2d(lo..hi, 0f64..n as f64)?;
            chart
                .configure_mesh()
                .disable_y_mesh()
                .y_labels(0)
                .x_labels(6)
                .x_label_formatter(&|v| tick(*v, hi - lo))
                .x_desc(c.axis.as_str())
                .axis_desc_style(font(12.0))
                .label_style(font(11.5))
                .light_line_style(TRANSPARENT)
                .bold_line_style(LIGHT)
                .draw()?;
            let bar_h = f64::from(BAR_ROW) / f64::from(row_h);
            let pad = 4.0 / f64::from(row_h);
            for (i, row) in c.rows.iter().enumerate() {
                let top = (n - i as i32) as f64 - pad;
                let centre = top - (f64::from(row_h) / 2.0 - 4.0) / f64::from(row_h);
                let (lx, ly) = chart.backend_coord(&(lo, centre));
                draw_label(root, &row.label, lx - 8, ly, 12.0)?;
                for (k, b) in row.bars.iter().enumerate() {
                    let y1 = top - bar_h * k as f64;
                    let y0 = y1 - bar_h + 5.0 / f64::from(row_h);
                    let base = 0f64.clamp(lo, hi);
                    let fill = colour(b.colour);
                    let style = if b.hollow { fill.stroke_width(2) } else { fill.filled() };
                    chart.draw_series(std::iter::once(Rectangle::new([(base, y0), (b.value, y1)], style)))?;
                    let ym = (y0 + y1) / 2.0;
                    if let Some((l, h)) = b.interval {
                        chart.draw_series(std::iter::once(ErrorBar::new_horizontal(
                            ym,
                            l,
                            b.value,
                            h,
                            INK.stroke_width(1),
                            8,
                        )))?;
                    }
                    let (_, ty) = chart.backend_coord(&(hi, ym));
                    let (rx, _) = chart.backend_coord(&(hi, ym));
                    let lines: Vec<&str> = b.text.lines().collect();
                    let k = lines.len() as i32;
                    for (l, line) in lines.iter().enumerate() {
                        let ly = ty + (2 * l as i32 - (k - 1)) * 15 / 2;
                        root.draw(&Text::new(
                            line.to_string(),
                            (rx + 8, ly),
                            anchored(font(11.5), HPos::Left, VPos::Center),
                        ))?;
                    }
                }
            }
            if let Some((r, label)) = &c.reference {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(*r, 0.0), (*r, n as f64)],
                    colour(VERMILLION).stroke_width(2),
                )))?;
                let (x, y) = chart.backend_coord(&(*r, n as f64));
                root.draw(&Text::new(
                    label.clone(),
                    (x - 4, y - 2),
                    anchored(tinted(font(11.5), colour(VERMILLION)), HPos::Right, VPos::Bottom),
                ))?;
            }
            legend(&legend_area, &c.legend)?;
            Ok(())
        },
        (WIDTH, height.max(120) as u32),
    )
}

fn legend<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, entries: &[(usize, bool, String)]) -> Res<()>
where
    DB::ErrorType: 'static,
{
    let mut x = 14;
    for (c, hollow, text) in entries {
        let style = if *hollow { colour(*c).stroke_width(2) } else { colour(*c).filled() };
        area.draw(&Rectangle::new([(x, 4), (x + 22, 18)], style))?;
        area.draw(&Text::new(text.clone(), (x + 28, 11), anchored(font(12.0), HPos::Left, VPos::Center)))?;
        x += 40 + text_width(text, 12.0);
    }
    Ok(())
}

/// A cell of the coverage heatmap.
#[derive(Debug, Clone)]
pub struct Cell {
    /// Palette index of the fill.
    pub colour: usize,
    /// Up to three lines of text.
    pub lines: Vec<String>,
    /// Drawn with a thick dashed-looking double border (covered only in a variant option).
    pub marked: bool,
}

/// A parties × domains grid.
#[derive(Debug, Clone)]
pub struct Heatmap {
    pub title: String,
    pub note: String,
    pub columns: Vec<String>,
    pub rows: Vec<(String, Vec<Option<Cell>>)>,
    pub legend: Vec<(usize, bool, String)>,
}

/// Draws a [`Heatmap`].
pub fn heatmap(h: &Heatmap) -> Res<String> {
    let label_w = h.rows.iter().map(|(l, _)| text_width(l, 12.0)).max().unwrap_or(40).clamp(40, 220) + 16;
    let cols = h.columns.len().max(1) as i32;
    let cell_w = ((WIDTH as i32 - label_w - 20) / cols).clamp(86, 130);
    let width = (label_w + cell_w * cols + 20).max(WIDTH as i32) as u32;
    let cell_h = 50;
    // Column names wider than a cell alternate between two lines.
    let stagger = h.columns.iter().any(|c| text_width(c, 12.0) > cell_w - 6);
    let head = header_height(&h.title, &h.note, width) as i32;
    let grid_top = head + if stagger { 44 } else { 28 };
    let legend_rows = 2;
    let height = grid_top + cell_h * h.rows.len() as i32 + 16 + 22 * legend_rows;
    finish(
        |root| {
            let _ = header(root, &h.title, &h.note)?;
            for (j, col) in h.columns.iter().enumerate() {
                let x = label_w + cell_w * j as i32 + cell_w / 2;
                let y = if stagger && j % 2 == 1 { grid_top - 24 } else { grid_top - 8 };
                root.draw(&Text::new(col.clone(), (x, y), anchored(bold(12.0), HPos::Center, VPos::Bottom)))?;
            }
            for (i, (label, cells)) in h.rows.iter().enumerate() {
                let y = grid_top + cell_h * i as i32;
                root.draw(&Text::new(
                    label.clone(),
                    (label_w - 8, y + cell_h / 2),
                    anchored(font(12.0), HPos::Right, VPos::Center),
                ))?;
                for (j, cell) in cells.iter().enumerate() {
                    let x = label_w + cell_w * j as i32;
                    let (x0, y0, x1, y1) = (x + 1, y + 1, x + cell_w - 1, y + cell_h - 1);
                    match cell {
                        None => {
                            root.draw(&Rectangle::new([(x0, y0), (x1, y1)], RGBColor(0xF7, 0xF7, 0xF7).filled()))?;
                            root.draw(&Text::new(
                                "none",
                                (x + cell_w / 2, y + cell_h / 2),
                                anchored(tinted(font(11.0), GREY), HPos::Center, VPos::Center),
                            ))?;
                        }
                        Some(cell) => {
                            root.draw(&Rectangle::new([(x0, y0), (x1, y1)], colour(cell.colour).filled()))?;
                            if cell.marked {
                                root.draw(&Rectangle::new([(x0 + 3, y0 + 3), (x1 - 3, y1 - 3)], INK.stroke_width(2)))?;
                            }
                            let ink = ink_on(cell.colour);
                            let k = cell.lines.len() as i32;
                            for (l, line) in cell.lines.iter().enumerate() {
                                let ly = y + cell_h / 2 + (2 * l as i32 - (k - 1)) * 13 / 2;
                                root.draw(&Text::new(
                                    line.clone(),
                                    (x + cell_w / 2, ly),
                                    anchored(tinted(font(10.5), ink), HPos::Center, VPos::Center),
                                ))?;
                            }
                        }
                    }
                }
            }
            let ly = grid_top + cell_h * h.rows.len() as i32 + 10;
            let (_, below) = root.split_vertically(ly);
            let per_row = h.legend.len().div_ceil(legend_rows as usize).max(1);
            for (r, chunk) in h.legend.chunks(per_row).enumerate() {
                let (_, area) = below.split_vertically(22 * r as i32);
                legend(&area, chunk)?;
            }
            Ok(())
        },
        (width, height as u32),
    )
}

/// One bar of the obligations timeline.
#[derive(Debug, Clone)]
pub struct Span {
    pub label: String,
    pub start: f64,
    pub end: f64,
    /// Whether it is still open at the end of the timeline (drawn to the edge).
    pub open: bool,
    pub deadline: Option<f64>,
    pub colour: usize,
    pub hollow: bool,
    /// The status, written after the bar.
    pub status: String,
}

/// Obligations on a time axis, with the scenario's events as numbered markers.
#[derive(Debug, Clone)]
pub struct Timeline {
    pub title: String,
    pub note: String,
    pub axis: String,
    pub spans: Vec<Span>,
    /// (day, marker text, description): markers on top, descriptions in a key below.
    pub events: Vec<(f64, String, String)>,
    pub range: (f64, f64),
    pub legend: Vec<(usize, bool, String)>,
}

/// Draws a [`Timeline`].
pub fn timeline(t: &Timeline) -> Res<String> {
    let n = t.spans.len().max(1) as i32;
    let row_h = 22;
    let label_w = t.spans.iter().map(|s| text_width(&s.label, 11.5)).max().unwrap_or(40).clamp(40, 300) + 14;
    let status_w = t.spans.iter().map(|s| text_width(&s.status, 11.0)).max().unwrap_or(40).min(140) + 14;
    let head = header_height(&t.title, &t.note, WIDTH) as i32;
    let marker_band = 3 * 16 + 8;
    let key_lines: Vec<String> = t.events.iter().map(|(_, m, d)| format!("{m}  {d}")).collect();
    let key_lines: Vec<String> = key_lines.iter().flat_map(|l| wrap(l, 118)).collect();
    let key_h = 16 * key_lines.len() as i32 + 10;
    let legend_h = 26;
    let height = head + marker_band + row_h * n + 44 + legend_h + key_h;
    let (lo, hi) = t.range;
    let hi = if hi > lo { hi } else { lo + 1.0 };
    finish(
        |root| {
            let area = header(root, &t.title, &t.note)?;
            let (plot_area, rest) = area.split_vertically(marker_band + row_h * n + 44);
            let (legend_area, key_area) = rest.split_vertically(legend_h);
            let mut chart = ChartBuilder::on(&plot_area)
                .margin_top(marker_band as u32)
                .margin_left(8)
                .margin_right(status_w as u32)
                .x_label_area_size(40)
                .y_label_area_size(label_w as u32)
                .build_cartesian_2d(lo..hi, 0f64..n as f64)?;
            chart
                .configure_mesh()
                .disable_y_mesh()
                .y_labels(0)
                .x_labels(10)
                .x_label_formatter(&|v| tick(*v, hi - lo))
                .x_desc(t.axis.as_str())
                .axis_desc_style(font(12.0))
                .label_style(font(11.5))
                .light_line_style(TRANSPARENT)
                .bold_line_style(LIGHT)
                .draw()?;
            // Event markers: a line across the chart, the number staggered over three levels so
            // that events on nearby days stay legible.
            let mut last_x: [Option<i32>; 3] = [None; 3];
            for (day, marker, _) in &t.events {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(*day, 0.0), (*day, n as f64)],
                    GREY.stroke_width(1),
                )))?;
                let (x, y) = chart.backend_coord(&(*day, n as f64));
                let w = text_width(marker, 11.0) + 6;
                let level = (0..3).find(|&l| last_x[l].is_none_or(|last| x - last > w)).unwrap_or(0);
                last_x[level] = Some(x);
                root.draw(&Text::new(
                    marker.clone(),
                    (x, y - 6 - 16 * level as i32),
                    anchored(bold(11.0), HPos::Center, VPos::Bottom),
                ))?;
            }
            for (i, s) in t.spans.iter().enumerate() {
                let y1 = (n - i as i32) as f64 - 0.18;
                let y0 = y1 - 0.64;
                let (lx, ly) = chart.backend_coord(&(lo, (y0 + y1) / 2.0));
                root.draw(&Text::new(s.label.clone(), (lx - 8, ly), anchored(font(11.5), HPos::Right, VPos::Center)))?;
                let fill = colour(s.colour);
                let style = if s.hollow { fill.stroke_width(2) } else { fill.filled() };
                let end = if s.end > s.start { s.end } else { s.start + (hi - lo) / 200.0 };
                chart.draw_series(std::iter::once(Rectangle::new([(s.start, y0), (end.min(hi), y1)], style)))?;
                if let Some(d) = s.deadline.filter(|d| *d >= lo && *d <= hi) {
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(d, y0 - 0.1), (d, y1 + 0.1)],
                        INK.stroke_width(3),
                    )))?;
                }
                let (rx, _) = chart.backend_coord(&(hi, y0));
                let status = if s.open { format!("{} →", s.status) } else { s.status.clone() };
                root.draw(&Text::new(status, (rx + 8, ly), anchored(font(11.0), HPos::Left, VPos::Center)))?;
            }
            legend(&legend_area, &t.legend)?;
            for (i, line) in key_lines.iter().enumerate() {
                key_area.draw(&Text::new(
                    line.clone(),
                    (14, 4 + 16 * i as i32),
                    anchored(font(11.5), HPos::Left, VPos::Top),
                ))?;
            }
            Ok(())
        },
        (WIDTH, height as u32),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_titles_are_drawn() {
        let chart = BarChart {
            title: "A <b> & \"c\"".into(),
            note: "bars: mean".into(),
            axis: "p".into(),
            rows: vec![BarRow {
                label: "x".into(),
                bars: vec![Bar {
                    value: 0.5,
                    interval: Some((0.4, 0.6)),
                    colour: 0,
                    hollow: false,
                    text: "0.5".into(),
                }],
            }],
            range: (0.0, 1.0),
            reference: None,
            legend: vec![],
        };
        let svg = bar_chart(&chart).expect("draws");
        assert!(svg.contains("A &lt;b&gt; &amp; &quot;c&quot;"), "{svg}");
        assert!(!svg.contains("<b>"));
    }

    #[test]
    fn wrap_splits_at_spaces() {
        assert_eq!(wrap("aa bb cc", 5), vec!["aa bb", "cc"]);
        assert!(wrap("", 5).is_empty());
    }
}
