type AudioContextClass = typeof AudioContext;

let context: AudioContext | null = null;

function audioContext(): AudioContext | null {
    const Ctor: AudioContextClass | undefined =
        typeof window === 'undefined'
            ? undefined
            : (window.AudioContext ?? (window as unknown as { webkitAudioContext?: AudioContextClass }).webkitAudioContext);
    if (!Ctor) return null;
    context ??= new Ctor();
    return context;
}

/**
 * Resumes the audio context. Browsers start audio only after a click, so call this from the click
 * that turns alerts on, and later chimes can play while the tab is in the background.
 */
export function unlockAudio(): void {
    void audioContext()?.resume().catch(() => undefined);
}

/** Plays a short two-note chime made with WebAudio, so no sound file is downloaded. */
export function playChime(): void {
    const ctx = audioContext();
    if (!ctx) return;
    const start = ctx.currentTime + 0.01;
    [
        { frequency: 880, at: 0 },
        { frequency: 1320, at: 0.12 },
    ].forEach(({ frequency, at }) => {
        const oscillator = ctx.createOscillator();
        const gain = ctx.createGain();
        oscillator.type = 'sine';
        oscillator.frequency.value = frequency;
        gain.gain.setValueAtTime(0.0001, start + at);
        gain.gain.exponentialRampToValueAtTime(0.2, start + at + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, start + at + 0.25);
        oscillator.connect(gain).connect(ctx.destination);
        oscillator.start(start + at);
        oscillator.stop(start + at + 0.3);
    });
}
