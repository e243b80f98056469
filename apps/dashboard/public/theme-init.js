// Applies the saved (or the system's) colour theme before the first paint, so a dark page never
// flashes white. A classic script from 'self' rather than inline, so the CSP needs no hash.
(() => {
  try {
    const saved = localStorage.getItem("switchyard-theme");
    const dark =
      saved === "dark" ||
      ((saved === null || saved === "system") && window.matchMedia("(prefers-color-scheme: dark)").matches);
    document.documentElement.classList.toggle("dark", dark);
    document.documentElement.style.colorScheme = dark ? "dark" : "light";
  } catch {
    // localStorage can be unavailable (privacy mode); the app then starts in the light theme.
  }
})();
