import { MonitorIcon, MoonIcon, SunIcon } from "lucide-react";
import { PageHeader } from "../../components/page-header.tsx";
import { Badge } from "../../components/ui/badge.tsx";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "../../components/ui/card.tsx";
import { FormField } from "../../components/ui/form-field.tsx";
import {
  Select,
  SelectContent,
  SelectItem,
  SelectTrigger,
  SelectValue,
} from "../../components/ui/select.tsx";
import { type ThemeChoice, useTheme } from "../../lib/theme.tsx";
import { useSession } from "../auth/session.tsx";
import { ChangePasswordForm } from "./change-password-form.tsx";

const themes: { value: ThemeChoice; label: string; Icon: typeof SunIcon }[] = [
  { value: "light", label: "Light", Icon: SunIcon },
  { value: "dark", label: "Dark", Icon: MoonIcon },
  { value: "system", label: "Same as the system", Icon: MonitorIcon },
];

export function SettingsPage() {
  const user = useSession();
  const { theme, setTheme } = useTheme();
  return (
    <>
      <PageHeader title="Settings" description="Your account and how the dashboard looks." />
      <div className="grid gap-6">
        <Card>
          <CardHeader>
            <CardTitle>Account</CardTitle>
          </CardHeader>
          <CardContent>
            <dl className="grid max-w-md grid-cols-[8rem_1fr] gap-y-2 text-sm">
              <dt className="text-muted-foreground">Name</dt>
              <dd>{user.name}</dd>
              <dt className="text-muted-foreground">Email</dt>
              <dd>{user.email}</dd>
              <dt className="text-muted-foreground">Role</dt>
              <dd>
                <Badge variant="outline" className="capitalize">
                  {user.role}
                </Badge>
              </dd>
            </dl>
          </CardContent>
        </Card>
        <ChangePasswordForm />
        <Card>
          <CardHeader>
            <CardTitle>Appearance</CardTitle>
            <CardDescription>Stored in this browser.</CardDescription>
          </CardHeader>
          <CardContent>
            <FormField id="theme" label="Theme" className="max-w-xs">
              {(control) => (
                <Select value={theme} onValueChange={(value) => setTheme(value as ThemeChoice)}>
                  <SelectTrigger {...control}>
                    <SelectValue />
                  </SelectTrigger>
                  <SelectContent>
                    {themes.map(({ value, label, Icon }) => (
                      <SelectItem key={value} value={value}>
                        <span className="flex items-center gap-2">
                          <Icon className="size-4" aria-hidden />
                          {label}
                        </span>
                      </SelectItem>
                    ))}
                  </SelectContent>
                </Select>
              )}
            </FormField>
          </CardContent>
        </Card>
      </div>
    </>
  );
}
