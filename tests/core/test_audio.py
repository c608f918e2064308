"""Voicemail WAV to what speech-to-text engines take: 16 kHz mono 16-bit PCM."""

from __future__ import annotations

from array import array
import io
from itertools import pairwise
from pathlib import Path
import wave

from hypothesis import given, strategies as st
import pytest

from custom_components.client_etiquette.core.audio import AudioError, resample, wav_to_stt_pcm

RECORDING = Path(__file__).parents[1] / "fixtures" / "voicemail" / "pl_invoice_8khz.wav"


def make_wav(samples: list[int], *, rate: int, channels: int = 1, width: int = 2) -> bytes:
    """Return a PCM WAV file of these interleaved samples."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(width)
        wav.setframerate(rate)
        if width == 2:
            wav.writeframes(array("h", samples).tobytes())
        else:
            wav.writeframes(bytes(samples))
    return buffer.getvalue()


def pcm(data: bytes) -> list[int]:
    """Read raw little-endian 16-bit samples."""
    return list(array("h", data))


def test_twilio_recording_becomes_16khz() -> None:
    """Twilio's 8 kHz recording: twice the samples; every other one is the original."""
    with wave.open(str(RECORDING)) as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (8000, 1, 2)
        original = list(array("h", wav.readframes(wav.getnframes())))
    out = pcm(wav_to_stt_pcm(RECORDING.read_bytes()))
    assert len(out) == 2 * len(original)
    assert out[::2] == original
    # Between two samples: their mean (within one step of rounding).
    for middle, (a, b) in zip(out[1::2], pairwise(original), strict=False):
        assert abs(2 * middle - (a + b)) <= 1


def test_stereo_8bit_is_mixed_down_and_widened() -> None:
    """8-bit unsigned stereo: the mean of both channels, as 16-bit, at 16 kHz."""
    data = make_wav([128, 128, 255, 1, 0, 0], rate=16000, channels=2, width=1)
    assert pcm(wav_to_stt_pcm(data)) == [0, 0, -32768]


def test_16khz_is_kept() -> None:
    """16 kHz mono 16-bit is handed over as it is, without the header."""
    assert pcm(wav_to_stt_pcm(make_wav([1, -2, 300], rate=16000))) == [1, -2, 300]


@pytest.mark.parametrize("data", [b"", b"RIFF....WAVEfmt ", b"not audio at all" * 10])
def test_not_a_wav(data: bytes) -> None:
    """Anything that is not a PCM WAV is refused with AudioError."""
    with pytest.raises(AudioError):
        wav_to_stt_pcm(data)


def test_24bit_refused() -> None:
    """Sample widths other than 8 and 16 bits are refused."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(3)
        wav.setframerate(8000)
        wav.writeframes(b"\0\0\0" * 4)
    with pytest.raises(AudioError):
        wav_to_stt_pcm(buffer.getvalue())


@given(
    samples=st.lists(st.integers(-32768, 32767), max_size=200),
    rate=st.sampled_from([8000, 11025, 16000, 22050, 44100, 48000]),
)
def test_resample_length_and_range(samples: list[int], rate: int) -> None:
    """Any rate to 16 kHz: the duration is kept and samples stay within their neighbours."""
    out = resample(array("h", samples), rate, 16000)
    assert len(out) == len(samples) * 16000 // rate
    if samples:
        assert min(samples) <= min(out, default=min(samples))
        assert max(out, default=max(samples)) <= max(samples)
