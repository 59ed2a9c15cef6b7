"""The run replayed day by day: a moving cursor, growing lines, events as they happen.

One frame is ``days_per_frame`` days (a week by default) and the film plays at
``fps`` frames a second (one week per second: slow enough for a room to read each
caption). The figure is drawn once; each frame only moves the cursor, extends the
lines and changes the captions, then the writer grabs it. A GIF is always written
(matplotlib's PillowWriter), an MP4 too where ffmpeg is on the PATH.
"""

import math
import shutil
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import AbstractMovieWriter, FFMpegWriter, PillowWriter
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from PIL import Image

from sim.output.atomic import files_atomically
from sim.output.runfolder import Run
from sim.views import captions, highlights, shocks, storyboard, style
from sim.views.captions import Caption
from sim.views.storyboard import COLOURS, Focus

DPI = 80  # 16 x 9 inches at 80 dpi: 1280 x 720, sharp on a projector, light to encode
CAPTION_LINES = 4
READ_SECONDS = 3.0
HEADROOM = 1.35  # room above the lines for the legends  # a caption stays up this long, however fast the film runs


class _GifFromCanvas(PillowWriter):
    """PillowWriter that takes the frame already composed on the canvas (no redraw).

    Each frame is kept as a 1-byte palette image, so a year shown day by day fits in memory.
    """

    def grab_frame(self, **savefig_kwargs: object) -> None:
        canvas = self.fig.canvas  # the Agg canvas the film was blitted on
        image = Image.frombuffer("RGBA", self.frame_size, canvas.buffer_rgba(), "raw", "RGBA", 0, 1)  # type: ignore[attr-defined]
        self._frames.append(  # type: ignore[attr-defined]  # PillowWriter's frame list, saved by finish()
            image.convert("RGB").quantize(colors=128, method=Image.Quantize.FASTOCTREE)
        )


class _Mp4FromCanvas(FFMpegWriter):
    """FFMpegWriter that pipes the frame already composed on the canvas (no redraw)."""

    def grab_frame(self, **savefig_kwargs: object) -> None:
        canvas = self.fig.canvas  # the Agg canvas the film was blitted on
        self._proc.stdin.write(bytes(canvas.buffer_rgba()))  # type: ignore[attr-defined]  # ffmpeg's pipe


class Film:
    """The figure of the animation and how to bring it to any day."""

    def __init__(
        self,
        run: Run,
        window: tuple[int, int] | None = None,
        sku: int | None = None,
        account: int | None = None,
        days_per_frame: int = 7,
        fps: float = 1.0,
    ) -> None:
        self.run = run
        self.start, self.end = storyboard.window_of(run, window)
        self.days_per_frame = days_per_frame
        self.view: Focus = storyboard.focus(run, sku, account)
        self.week = storyboard.weekly(self.view.daily, self.start, self.end)
        events = self.view.events
        events = events[(events["day"] >= self.start) & (events["day"] <= self.end)]
        self.bands = shocks.visible(shocks.bands(run.events, run.days), self.start, self.end)
        self.captions = [c for c in captions.describe(events, context=self.bands) if _worth_showing(c)]
        self.hold_days = max(days_per_frame, math.ceil(READ_SECONDS * fps) * days_per_frame)
        style.apply()
        self.figure = plt.figure(figsize=(16, 9), dpi=DPI)
        self._build()

    @property
    def frames(self) -> int:
        """Number of frames from the first day to the last."""
        return math.ceil((self.end + 1 - self.start) / self.days_per_frame)

    def cursor_of(self, frame: int) -> int:
        """The last day a frame shows."""
        return min(self.end, self.start + (frame + 1) * self.days_per_frame - 1)

    # -- the figure, drawn once ---------------------------------------------------------------

    def _build(self) -> None:
        figure, run, view = self.figure, self.run, self.view
        focus_words = "" if view.what == "company" else f" · {view.what}"
        figure.text(0.02, 0.965, f"Replay: {run.title}{focus_words}", fontsize=20, fontweight="bold", va="top")
        self.clock = figure.text(
            0.98, 0.965, "", fontsize=22, fontweight="bold", ha="right", va="top", color=style.COMPANY
        )
        self.caption_lines = [
            figure.text(0.02, 0.90 - 0.038 * i, "", fontsize=17, va="top", fontweight="bold" if i == 0 else None)
            for i in range(CAPTION_LINES)
        ]
        grid = figure.add_gridspec(2, 2, left=0.06, right=0.94, top=0.70, bottom=0.08, hspace=0.42, wspace=0.22)
        flows, stock = figure.add_subplot(grid[0, 0]), figure.add_subplot(grid[0, 1])
        service, trust = figure.add_subplot(grid[1, 0]), figure.add_subplot(grid[1, 1])
        self.axes = [flows, stock, service, trust]
        week = self.week
        x_end = self.end + 1

        def line(axis: Axes, colour: str, label: str) -> Line2D:
            return axis.step([], [], where="post", color=colour, linewidth=2.6, label=label)[0]

        self.demand = line(flows, style.SALES, "ordered" + (" by customers" if view.has_stock else ""))
        self.supplied = line(flows, style.PURCHASING, view.supplied_label)
        flows.set(
            title=f"Units per week ({view.what})",
            ylabel="units / week",
            ylim=(0, HEADROOM * np.nanmax([week["demand"].max(), week["supplied"].max(), 1])),
        )
        flows.legend(loc="upper left", ncols=2, fontsize=13)

        self.on_hand: Line2D | None = None
        if view.has_stock:
            self.on_hand = line(stock, style.PURCHASING, "on hand")
            stock.set_ylabel("units on hand", color=style.PURCHASING)
            stock.set_ylim(0, HEADROOM * max(float(np.nanmax(week["on_hand"])), 1.0))
            self.owed_axis = stock.twinx()
            self.owed_axis.grid(False)
            self.owed_axis.spines["right"].set_visible(True)
            self.owed = line(self.owed_axis, style.SALES, "owed to customers")
            self.owed_axis.set_ylabel("units owed", color=style.SALES)
            self.owed_axis.set_ylim(0, HEADROOM * max(float(week["backordered"].max()), 1.0))
            stock.legend(handles=[self.on_hand, self.owed], loc="upper left", ncols=2, fontsize=13)
            stock.set_title("Stock at week end")
        else:
            self.owed = line(stock, style.SALES, "owed to the account")
            stock.set(
                title="What the account is still owed",
                ylabel="units owed",
                ylim=(0, HEADROOM * max(float(week["backordered"].max()), 1.0)),
            )
            stock.legend(loc="upper left", fontsize=13)

        self.fill = line(service, style.COMPANY, "fill rate")
        low = float(np.nanmin(week["fill_rate"])) if week["fill_rate"].notna().any() else 90.0
        service.set(
            title="Fill rate: shipped from stock the day ordered",
            ylabel="fill rate %",
            ylim=(max(0.0, min(90.0, low - 5)), 101),
        )

        self.trust_sales = trust.plot([], [], color=style.SALES, linewidth=2.6, label="sales trusts purchasing")[0]
        self.trust_purchasing = trust.plot(
            [], [], color=style.PURCHASING, linewidth=2.6, label="purchasing trusts sales"
        )[0]
        trust.set(title="Trust each way", ylabel="trust (0-1)", ylim=(0, 1.02))
        trust.legend(loc="lower left", fontsize=13)

        self.cursors = []
        for axis in self.axes:
            axis.set_xlim(self.start, x_end)
            storyboard.shade_warmup(axis, run.warmup, self.start)
            shocks.shade(axis, self.bands, self.start, self.end)
            self.cursors.append(axis.axvline(self.start, color="#222222", linewidth=2, zorder=5))
        service.set_xlabel("day of the run (grey: warm-up)")
        trust.set_xlabel("day of the run (grey: warm-up)")
        # The days of the captions on screen, marked on every chart.
        self.marks = [
            axis.vlines([], 0, 1, transform=axis.get_xaxis_transform(), linewidth=2, alpha=0.6, zorder=4)
            for axis in self.axes
        ]
        owed = [self.owed] + ([self.on_hand] if self.on_hand is not None else [])
        self.moving: list[Artist] = [
            self.demand,
            self.supplied,
            *owed,
            self.fill,
            self.trust_sales,
            self.trust_purchasing,
            *self.marks,
            *self.cursors,
            self.clock,
            *self.caption_lines,
        ]
        for artist in self.moving:
            artist.set_animated(True)  # left out of the background, drawn each frame

    # -- one frame ----------------------------------------------------------------------------

    def show(self, frame: int) -> None:
        """Bring every artist to the last day of ``frame``."""
        day = self.cursor_of(frame)
        week = self.week[self.week["start"] <= day]
        x = _until(week["start"].to_numpy(float), day + 1)

        def series(column: str) -> np.ndarray:
            values = week[column].to_numpy(float)
            return np.append(values, values[-1]) if len(values) else values

        self.demand.set_data(x, series("demand"))
        self.supplied.set_data(x, series("supplied"))
        if self.on_hand is not None:
            self.on_hand.set_data(x, series("on_hand"))
        self.owed.set_data(x, series("backordered"))
        self.fill.set_data(x, series("fill_rate"))
        daily = self.view.daily
        upto = daily[(daily["day"] >= self.start) & (daily["day"] <= day)]
        self.trust_sales.set_data(upto["day"], upto["trust_in_purchasing"])
        self.trust_purchasing.set_data(upto["day"], upto["trust_in_sales"])
        for cursor in self.cursors:
            cursor.set_xdata([day + 1, day + 1])
        total = self.end - self.start + 1
        phase = " (warm-up)" if day < self.run.warmup else ""
        self.clock.set_text(f"day {day}{phase}  ·  {day - self.start + 1} of {total} days")
        self._captions(day)

    def _captions(self, day: int) -> None:
        # The outside shock the cursor is in takes the last line, in brown (no department's colour).
        now = [band.label for band in self.bands if band.start <= day < band.end]
        lines = self.caption_lines[:-1] if now else self.caption_lines
        if now:
            self.caption_lines[-1].set_text("▨ " + "  ·  ".join(now))
            self.caption_lines[-1].set_color(shocks.COLOUR)
        recent = [c for c in self.captions if day - self.hold_days < c.day <= day]
        shown = sorted(sorted(recent, key=lambda c: (-c.importance, -c.day))[: len(lines)], key=lambda c: -c.day)
        for text, caption in zip(lines, [*shown, *[None] * CAPTION_LINES], strict=False):
            if caption is None:
                text.set_text("")
                continue
            text.set_text(f"■ {caption.label}")
            text.set_color(COLOURS[caption.department])
        for marks in self.marks:
            marks.set_segments([[(c.day + 0.5, 0), (c.day + 0.5, 1)] for c in shown])
            marks.set_color([COLOURS[c.department] for c in shown])

    # -- saving -------------------------------------------------------------------------------

    def save(self, outputs: Sequence[tuple[Path, AbstractMovieWriter]]) -> None:
        """Write every frame to each (path, writer) in one pass.

        The still parts are drawn once and kept as a background; each frame restores
        it and draws only the moving artists (blitting), then every writer takes the
        same composed canvas.
        """
        with ExitStack() as stack:
            for path, writer in outputs:
                stack.enter_context(writer.saving(self.figure, str(path), DPI))
            canvas = self.figure.canvas
            canvas.draw()
            background = canvas.copy_from_bbox(self.figure.bbox)  # type: ignore[attr-defined]
            for frame in range(self.frames):
                self.show(frame)
                canvas.restore_region(background)  # type: ignore[attr-defined]
                for artist in self.moving:
                    self.figure.draw_artist(artist)
                for _, writer in outputs:
                    writer.grab_frame()

    def close(self) -> None:
        """Release the figure."""
        plt.close(self.figure)


def write(
    run: Run,
    window: tuple[int, int] | None = None,
    sku: int | None = None,
    account: int | None = None,
    fps: float = 1.0,
    days_per_frame: int = 7,
    mp4: bool = True,
) -> list[Path]:
    """Write ``replay.gif`` (and ``replay.mp4`` where ffmpeg exists) into the run's replay folder."""
    film = Film(run, window, sku, account, days_per_frame, fps)
    tail = storyboard.suffix(window, run, sku, account)
    # matplotlib's writers take any frame rate (the stubs say int): 0.5 = two seconds a frame.
    gif_writer = _GifFromCanvas(fps=fps)  # type: ignore[arg-type]
    outputs: list[tuple[Path, AbstractMovieWriter]] = [(run.replay_dir / f"replay{tail}.gif", gif_writer)]
    if mp4 and ffmpeg_available():
        writer = _Mp4FromCanvas(fps=fps, codec="libx264", extra_args=["-pix_fmt", "yuv420p"])  # type: ignore[arg-type]
        outputs.append((run.replay_dir / f"replay{tail}.mp4", writer))
    try:
        with files_atomically([path for path, _ in outputs]) as temporaries:
            film.save([(tmp, writer) for tmp, (_, writer) in zip(temporaries, outputs, strict=True)])
    finally:
        film.close()
    return [path for path, _ in outputs]


def ffmpeg_available() -> bool:
    """Whether an MP4 can be written here."""
    return shutil.which("ffmpeg") is not None and FFMpegWriter.isAvailable()


def first_frame(path: Path, frame: int = 0) -> Image.Image:
    """One frame of a written GIF (to look at, or to test)."""
    with Image.open(path) as image:
        image.seek(frame)
        return image.convert("RGB")


def _worth_showing(caption: Caption) -> bool:
    return highlights.score(caption, first_of_kind=False) >= 4.0


def _until(starts: np.ndarray, end: float) -> np.ndarray:
    return np.append(starts, end) if len(starts) else starts
