import type { SectionId } from "@switchyard/core";
import {
  ActivityIcon,
  ChartColumnIcon,
  CpuIcon,
  FlaskConicalIcon,
  KeyRoundIcon,
  KeySquareIcon,
  type LucideIcon,
  MessageSquareTextIcon,
  RouteIcon,
  ScrollTextIcon,
  ServerIcon,
  SettingsIcon,
  ShieldCheckIcon,
  WalletIcon,
} from "lucide-react";

export const sectionIcons: Record<SectionId, LucideIcon> = {
  keys: KeyRoundIcon,
  providers: ServerIcon,
  routing: RouteIcon,
  budgets: WalletIcon,
  prompts: MessageSquareTextIcon,
  experiments: FlaskConicalIcon,
  moderation: ShieldCheckIcon,
  fleet: CpuIcon,
  usage: ChartColumnIcon,
  audit: ScrollTextIcon,
  tokens: KeySquareIcon,
  system: ActivityIcon,
  settings: SettingsIcon,
};
