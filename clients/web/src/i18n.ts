// The app's own texts. Survey texts (indicators, bands, title) come from
// the server in the chosen locale; outcome screens are chosen by the
// error contract's `reason` (respond.proto), never from the English message.
export type Lang = "zh" | "en";

const zh = {
  brand: "满意度调查",
  switchTo: "English",
  switchLabel: "Switch to English",
  loading: "正在加载问卷…",
  rated: "评价对象",
  department: "部门",
  evaluating: "代表部门",
  expires: (d: string) => `请在 ${d} 前作答`,
  weight: (w: number) => `权重 ${w}%`,
  scoreHint: (min: number, max: number) => `请选择 ${min}–${max} 分`,
  reason: (label: string) => `理由（可选）：${label}`,
  comment: "其他意见（可选）",
  chars: (n: number, max: number) => `${n}/${max} 字`,
  submit: "提交",
  sending: "正在提交…",
  missing: (n: number) => `还有 ${n} 项未评分`,
  fieldInvalid: "有一项内容不符合要求，请修改后再提交。",
  thanks: "感谢您的评价！",
  thanksBody: "您的回答已匿名记录，每个链接只计一次。",
  already: "此问卷已经回答过了",
  alreadyBody: "每个链接只能回答一次，您的回答已被记录。",
  expired: "此问卷链接已过期",
  revoked: "此问卷链接已被撤回",
  closed: "此调查已结束",
  closedBody: "该调查当前不接受回答。",
  unknown: "无法识别此链接",
  unknownBody: "请检查链接是否完整，或联系发送问卷的人员。",
  limited: "尝试次数过多",
  limitedBody: "请稍后再试。",
  busy: "服务器繁忙，正在重试…",
  busyBody: "您的回答已保存在本机，会自动重新发送。",
  offline: "已保存，联网后自动发送",
  offlineBody: "当前没有网络连接。您的回答已保存在本手机上，恢复联网后会自动提交，只计一次。",
  tooLarge: "内容过长",
  tooLargeBody: "请缩短理由或意见后再提交。",
  failed: "出现问题",
  failedBody: "请稍后重新打开此链接。",
  noToken: "链接不完整",
};
export type Texts = typeof zh;

const en: Texts = {
  brand: "Satisfaction survey",
  switchTo: "中文",
  switchLabel: "切换到中文",
  loading: "Loading the survey…",
  rated: "Rated",
  department: "Department",
  evaluating: "On behalf of",
  expires: (d) => `Please answer by ${d}`,
  weight: (w) => `weight ${w}%`,
  scoreHint: (min, max) => `Choose ${min}–${max}`,
  reason: (label) => `Reason (optional): ${label}`,
  comment: "Other comments (optional)",
  chars: (n, max) => `${n}/${max} characters`,
  submit: "Submit",
  sending: "Sending…",
  missing: (n) => `${n} ${n === 1 ? "item is" : "items are"} not scored yet`,
  fieldInvalid: "One entry is not accepted; please correct it and submit again.",
  thanks: "Thank you for your feedback!",
  thanksBody: "Your answer was recorded anonymously; each link counts once.",
  already: "This survey was already answered",
  alreadyBody: "Each link can be answered once; the answer is recorded.",
  expired: "This survey link has expired",
  revoked: "This survey link was withdrawn",
  closed: "This survey is closed",
  closedBody: "The survey is not accepting answers now.",
  unknown: "This link is not recognised",
  unknownBody: "Check that the link is complete, or ask whoever sent it.",
  limited: "Too many attempts",
  limitedBody: "Please try again later.",
  busy: "Server busy, retrying…",
  busyBody: "Your answer is saved on this phone and will be sent again automatically.",
  offline: "Saved; it will be sent when you are online",
  offlineBody: "There is no connection. Your answer is kept on this phone and sent automatically, once, when the connection returns.",
  tooLarge: "Too long",
  tooLargeBody: "Please shorten your reasons or comment and submit again.",
  failed: "Something went wrong",
  failedBody: "Please open this link again later.",
  noToken: "The link is incomplete",
};

export const texts: Record<Lang, Texts> = { zh, en };

export function initialLang(): Lang {
  try {
    const saved = localStorage.getItem("lang");
    if (saved === "zh" || saved === "en") return saved;
  } catch { /* storage disabled */ }
  const langs = navigator.languages?.length ? navigator.languages : [navigator.language];
  for (const l of langs) {
    const low = (l || "").toLowerCase();
    if (low.startsWith("zh")) return "zh";
    if (low.startsWith("en")) return "en";
  }
  return "zh";
}
