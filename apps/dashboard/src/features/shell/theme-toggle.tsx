import { MoonIcon, SunIcon } from "lucide-react";
import { Button } from "../../components/ui/button.tsx";
import { useTheme } from "../../lib/theme.tsx";

/** Flips between light and dark; the choice is remembered (Settings can set it back to follow the system). */
export function ThemeToggle() {
  const { resolvedTheme, setTheme } = useTheme();
  const next = resolvedTheme === "dark" ? "light" : "dark";
  return (
    <Button
      variant="ghost"
      size="icon"
      aria-label={`Switch to ${next} theme`}
      title={`Switch to ${next} theme`}
      onClick={() => setTheme(next)}
    >
      {resolvedTheme === "dark" ? <SunIcon aria-hidden /> : <MoonIcon aria-hidden />}
    </Button>
  );
}
