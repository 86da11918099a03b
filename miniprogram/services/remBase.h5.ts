/**
 * The rem base of Taro's pxtransform on H5 (designWidth 375: 1 rem = 20 design px): 1 design px = 1 CSS px on a
 * 375px-wide phone, scaled with the width between 320px and 540px. Part of the bundle rather than an inline
 * script in index.html, so the Content-Security-Policy allows scripts from our own origin only (no inline
 * script, no hash to keep in step). Runs on import, before the app renders its first page.
 */
const WIDTH_MIN_PX = 320;
const WIDTH_MAX_PX = 540;
const DESIGN_WIDTH_PX = 375;
const REM_PX = 20;

function size(): void {
  const root = document.documentElement;
  const width = Math.max(
    WIDTH_MIN_PX,
    Math.min(root.getBoundingClientRect().width || DESIGN_WIDTH_PX, WIDTH_MAX_PX),
  );
  root.style.fontSize = `${(width / DESIGN_WIDTH_PX) * REM_PX}px`;
}

window.addEventListener('resize', size);
size();

export {};
