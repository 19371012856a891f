// Small pure helpers of the questionnaire builder: the next question id and option code, so a
// new question or option is ready to fill in.
import type { FormOption, FormQuestion, QuestionType } from '../../api.ts';

/** q1, q2, ... the first not taken. */
export function nextQuestionId(questions: readonly FormQuestion[]): string {
  const taken = new Set(questions.map((q) => q.id));
  let n = questions.length + 1;
  while (taken.has(`q${n}`)) n++;
  return `q${n}`;
}

/** After "3" comes "4"; after "D" comes "E"; otherwise the option's place in the list. */
export function nextCode(options: readonly FormOption[]): string {
  const taken = new Set(options.map((o) => o.code));
  const last = options[options.length - 1]?.code ?? '';
  let candidate: string;
  if (/^\d+$/.test(last)) candidate = String(Number(last) + 1);
  else if (/^[A-Y]$/.test(last)) candidate = String.fromCharCode(last.charCodeAt(0) + 1);
  else if (/^[a-y]$/.test(last)) candidate = String.fromCharCode(last.charCodeAt(0) + 1);
  else candidate = last === '' ? 'A' : String(options.length + 1);
  let n = options.length + 1;
  while (taken.has(candidate)) candidate = String(n++);
  return candidate;
}

export function newQuestion(questions: readonly FormQuestion[], type: QuestionType = 'single'): FormQuestion {
  return { id: nextQuestionId(questions), text: '', type, options: type === 'text' ? [] : [{ code: 'A', label: '' }, { code: 'B', label: '' }] };
}

/** A question of another type keeps its options when it still has some, and drops them for text. */
export function withType(question: FormQuestion, type: QuestionType): FormQuestion {
  if (type === 'text') return { ...question, type, options: [] };
  return { ...question, type, options: question.options.length > 0 ? question.options : [{ code: 'A', label: '' }, { code: 'B', label: '' }] };
}

/** The questions as the server takes them: an option without a tag has no tagId at all. */
export function cleanQuestions(questions: readonly FormQuestion[]): FormQuestion[] {
  return questions.map((q) => ({
    id: q.id.trim(),
    text: q.text.trim(),
    type: q.type,
    options: q.options.map((o) => (o.tagId ? { code: o.code.trim(), label: o.label.trim(), tagId: o.tagId } : { code: o.code.trim(), label: o.label.trim() })),
  }));
}
