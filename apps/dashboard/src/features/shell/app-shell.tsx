/**
 * The signed-in layout: the sections sidebar, the header with the notifications bell, the theme toggle
 * and the user menu.
 */
import { MenuIcon } from "lucide-react";
import { useState } from "react";
import { Link, Outlet } from "react-router";
import { Button } from "../../components/ui/button.tsx";
import {
  Sheet,
  SheetContent,
  SheetDescription,
  SheetTitle,
  SheetTrigger,
} from "../../components/ui/sheet.tsx";
import { NotificationsBell } from "../notifications/notifications-bell.tsx";
import { Brand } from "./brand.tsx";
import { SectionNav } from "./section-nav.tsx";
import { ThemeToggle } from "./theme-toggle.tsx";
import { UserMenu } from "./user-menu.tsx";

export function AppShell() {
  const [mobileNavOpen, setMobileNavOpen] = useState(false);
  return (
    <div className="flex min-h-svh">
      <a
        href="#main"
        className="sr-only z-50 rounded-md bg-background px-3 py-2 focus:not-sr-only focus:fixed focus:top-2 focus:left-2"
      >
        Skip to content
      </a>
      {/* The aside stretches with the page (its background and border too); its content stays in view. */}
      <aside className="hidden w-60 shrink-0 border-r border-sidebar-border bg-sidebar text-sidebar-foreground md:block">
        <div className="sticky top-0 flex h-svh flex-col gap-4">
          <Link to="/" className="flex h-14 items-center px-6">
            <Brand />
          </Link>
          <div className="flex-1 overflow-y-auto pb-4">
            <SectionNav />
          </div>
        </div>
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="sticky top-0 z-30 flex h-14 items-center gap-2 border-b bg-background/95 px-4 backdrop-blur supports-[backdrop-filter]:bg-background/80 md:px-6">
          <Sheet open={mobileNavOpen} onOpenChange={setMobileNavOpen}>
            <SheetTrigger asChild>
              <Button variant="ghost" size="icon" className="md:hidden" aria-label="Open navigation">
                <MenuIcon aria-hidden />
              </Button>
            </SheetTrigger>
            <SheetContent>
              <SheetTitle className="flex h-14 items-center px-6">
                <Brand />
              </SheetTitle>
              <SheetDescription className="sr-only">Switch to another section</SheetDescription>
              <div className="flex-1 overflow-y-auto pb-4">
                <SectionNav onNavigate={() => setMobileNavOpen(false)} />
              </div>
            </SheetContent>
          </Sheet>
          <Link to="/" className="md:hidden">
            <Brand />
          </Link>
          <div className="flex-1" />
          <NotificationsBell />
          <ThemeToggle />
          <UserMenu />
        </header>
        <main id="main" className="flex-1 px-4 py-6 md:px-8 md:py-8">
          <div className="mx-auto w-full max-w-6xl">
            <Outlet />
          </div>
        </main>
      </div>
    </div>
  );
}
