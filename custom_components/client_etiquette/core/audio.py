"""Pure audio: a voicemail WAV made into what speech-to-text engines take.

No Home Assistant imports. Home Assistant's speech-to-text engines (Whisper through
Wyoming, the Assist pipeline) take raw 16 kHz, mono, 16-bit little-endian PCM: the
Wyoming engine announces exactly that (``AudioStart(rate=16000, width=2,
channels=1)``) and sends the bytes as they come, so a WAV header would be heard as
noise. Twilio's recordings are 8 kHz mono 16-bit PCM WAV: here the samples are read,
mixed down to mono, and resampled by linear interpolation (at 8 kHz → 16 kHz every
other sample is the original one, the ones between are their mean), in pure Python
(``audioop`` is gone since Python 3.13).
"""

from __future__ import annotations

from array import array
import io
import sys
from typing import Final
import wave

STT_RATE: Final = 16_000
STT_WIDTH: Final = 2
STT_CHANNELS: Final = 1


class AudioError(ValueError):
    """The recording is not a WAV file this can read (16-bit or 8-bit PCM)."""


def wav_to_stt_pcm(data: bytes) -> bytes:
    """Return a PCM WAV file's audio as raw 16 kHz mono 16-bit little-endian samples."""
    try:
        with wave.open(io.BytesIO(data)) as wav:
            channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
            frames = wav.readframes(wav.getnframes())
    except (wave.Error, EOFError) as err:
        raise AudioError(str(err)) from err
    if rate <= 0 or channels <= 0:
        raise AudioError("no audio")
    samples = _samples(frames, width)
    mono = _mono(samples, channels)
    out = resample(mono, rate, STT_RATE)
    if sys.byteorder == "big":
        out.byteswap()
    return out.tobytes()


def _samples(frames: bytes, width: int) -> array[int]:
    """Read 16-bit (signed, little-endian) or 8-bit (unsigned) samples as 16-bit."""
    if width == 2:
        samples = array("h")
        samples.frombytes(frames[: len(frames) - len(frames) % 2])
        if sys.byteorder == "big":
            samples.byteswap()
        return samples
    if width == 1:
        return array("h", ((byte - 128) << 8 for byte in frames))
    raise AudioError(f"{8 * width}-bit samples")


def _mono(samples: array[int], channels: int) -> array[int]:
    """Mix channels down to one (their mean)."""
    if channels == 1:
        return samples
    count = len(samples) // channels
    return array(
        "h",
        (sum(samples[i * channels : (i + 1) * channels]) // channels for i in range(count)),
    )


def resample(samples: array[int], rate: int, target: int) -> array[int]:
    """Resample 16-bit samples from ``rate`` to ``target`` Hz by linear interpolation."""
    if rate == target or not samples:
        return array("h", samples)
    count = len(samples) * target // rate
    last = len(samples) - 1
    out = array("h", bytes(2 * count))
    for i in range(count):
        # Position in the input, as a whole sample and a fraction of ``target``.
        whole, part = divmod(i * rate, target)
        if part == 0 or whole >= last:
            out[i] = samples[min(whole, last)]
        else:
            left, right = samples[whole], samples[whole + 1]
            out[i] = left + (right - left) * part // target
    return out
