// Loss weights of photo style transfer (spec §3, the original's defaults): content 5, style Γ =
// 100 (per label, times its mean mask), TV 1e-3 on the network's input, photorealism λ = 1e4.
export const PHOTO_STYLE_WEIGHTS = Object.freeze({ content: 5, style: 100, tv: 1e-3, photorealism: 1e4 } as const);
