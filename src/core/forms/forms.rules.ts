// Questionnaires and their codebooks (高姿's 密码本): questions with coded options, each option
// possibly coding a tag ("3" = 痘痘 → 肤质:痘痘肌; "D" → 诉求:祛痘). Pure: checks a form's
// questions and a submission's answers, naming the path of every problem.
import { YuchiError, type ErrorDetail } from '../errors.ts';
import { UUID_PATTERN } from '../ids.ts';

export const QUESTION_TYPES = ['single', 'multi', 'text'] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

export interface FormOption {
  code: string;
  label: string;
  tagId?: string;
}

export interface FormQuestion {
  id: string;
  text: string;
  type: QuestionType;
  options: FormOption[];
}

export type Answer = string | string[];

export const MAX_QUESTIONS = 100;
export const MAX_OPTIONS = 50;
export const MAX_TEXT_ANSWER = 2000;
const QUESTION_ID = /^[A-Za-z0-9_-]{1,40}$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown, min: number, max: number): string | undefined => {
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  return t.length >= min && t.length <= max ? t : undefined;
};

function throwAll(errors: ErrorDetail[]): void {
  const first = errors[0];
  if (first) throw new YuchiError('invalid', `${first.path}: ${first.message}`, errors);
}

/** Checks a form's questions: ids unique, option codes unique per question, a text question has no options. */
export function parseQuestions(input: unknown, path = 'questions'): FormQuestion[] {
  const errors: ErrorDetail[] = [];
  const fail = (at: string, message: string, code: string, params: ErrorDetail['params'] = {}): undefined => {
    errors.push({ path: at, message, code, params });
    return undefined;
  };
  const length = (minimum: number, maximum: number) => ({ minimum, maximum });
  if (!Array.isArray(input) || input.length === 0 || input.length > MAX_QUESTIONS) {
    fail(path, `must be a list of 1–${MAX_QUESTIONS} questions`, 'questions_range', { maximum: MAX_QUESTIONS });
    throwAll(errors);
    return [];
  }
  const ids = new Set<string>();
  const questions = input.map((q: unknown, i): FormQuestion | undefined => {
    const at = `${path}[${i}]`;
    if (!isObject(q)) return fail(at, 'must be an object', 'not_object');
    const id = typeof q.id === 'string' && QUESTION_ID.test(q.id) ? q.id : fail(`${at}.id`, 'must be 1–40 letters, digits, _ or -', 'id_format');
    if (id !== undefined && ids.has(id)) fail(`${at}.id`, `repeats question id ${id}`, 'id_twice', { id });
    if (id !== undefined) ids.add(id);
    const questionText = text(q.text, 1, 200) ?? fail(`${at}.text`, 'must be 1–200 characters', 'length_range', length(1, 200));
    const type = QUESTION_TYPES.find((t) => t === q.type) ?? fail(`${at}.type`, `must be one of ${QUESTION_TYPES.join(', ')}`, 'invalid_value', { options: QUESTION_TYPES.join(', ') });
    const rawOptions = q.options ?? [];
    if (!Array.isArray(rawOptions) || rawOptions.length > MAX_OPTIONS) return fail(`${at}.options`, `must be a list of at most ${MAX_OPTIONS} options`, 'too_big', { origin: 'array', maximum: MAX_OPTIONS, inclusive: 'true' });
    if (type === 'text' && rawOptions.length > 0) fail(`${at}.options`, 'a text question has no options', 'text_has_options');
    if (type !== 'text' && rawOptions.length === 0) fail(`${at}.options`, `a ${type ?? 'choice'} question needs options`, 'needs_options');
    const codes = new Set<string>();
    const options = rawOptions.map((o: unknown, j): FormOption | undefined => {
      const oat = `${at}.options[${j}]`;
      if (!isObject(o)) return fail(oat, 'must be an object', 'not_object');
      const code = text(o.code, 1, 20) ?? fail(`${oat}.code`, 'must be 1–20 characters', 'length_range', length(1, 20));
      if (code !== undefined && codes.has(code)) fail(`${oat}.code`, `repeats option code ${code} in this question`, 'code_twice', { code });
      if (code !== undefined) codes.add(code);
      const label = text(o.label, 1, 100) ?? fail(`${oat}.label`, 'must be 1–100 characters', 'length_range', length(1, 100));
      if (o.tagId !== undefined && o.tagId !== null && (typeof o.tagId !== 'string' || !UUID_PATTERN.test(o.tagId))) {
        return fail(`${oat}.tagId`, 'must be a tag id (UUID)', 'tag_id');
      }
      if (code === undefined || label === undefined) return undefined;
      return typeof o.tagId === 'string' ? { code, label, tagId: o.tagId.toLowerCase() } : { code, label };
    });
    if (id === undefined || questionText === undefined || type === undefined) return undefined;
    const complete = options.flatMap((o) => (o ? [o] : []));
    return complete.length === options.length ? { id, text: questionText, type, options: complete } : undefined;
  });
  throwAll(errors);
  return questions.flatMap((q) => (q ? [q] : []));
}

/** Every option that codes a tag, with its path, for checking the tags exist. */
export function codedOptions(questions: readonly FormQuestion[], path = 'questions'): { question: FormQuestion; tagId: string; path: string }[] {
  return questions.flatMap((question, i) => question.options.flatMap((o, j) =>
    o.tagId ? [{ question, tagId: o.tagId, path: `${path}[${i}].options[${j}].tagId` }] : []));
}

export interface ChosenOption {
  questionId: string;
  code: string;
  tagId: string | undefined;
}

/**
 * Checks answers against the questions: every answered question exists, a single-choice answer
 * is one option code, a multi-choice answer a list of distinct codes, a text answer a string.
 * Returns the answers as stored and the options chosen.
 */
export function parseAnswers(questions: readonly FormQuestion[], input: unknown): { answers: Record<string, Answer>; chosen: ChosenOption[] } {
  if (!isObject(input)) throw new YuchiError('invalid', 'answers: must be an object of question id → answer', [{ path: 'answers', message: 'must be an object of question id → answer', code: 'not_object', params: {} }]);
  const errors: ErrorDetail[] = [];
  const fail = (at: string, message: string, code: string, params: NonNullable<ErrorDetail['params']> = {}): void => {
    errors.push({ path: at, message, code, params });
  };
  const byId = new Map(questions.map((q) => [q.id, q]));
  const answers: Record<string, Answer> = {};
  const chosen: ChosenOption[] = [];
  const choose = (q: FormQuestion, code: unknown, at: string): string | undefined => {
    const option = typeof code === 'string' ? q.options.find((o) => o.code === code.trim()) : undefined;
    if (!option) {
      const options = q.options.map((o) => o.code).join(', ');
      if (typeof code === 'string') fail(at, `unknown option code "${code}" (options: ${options})`, 'unknown_option', { code, options });
      else fail(at, 'must be an option code', 'unknown_option', { code: '', options });
      return undefined;
    }
    chosen.push({ questionId: q.id, code: option.code, tagId: option.tagId });
    return option.code;
  };
  for (const [questionId, value] of Object.entries(input)) {
    const at = `answers.${questionId}`;
    const q = byId.get(questionId);
    if (!q) {
      fail(at, 'no such question in this questionnaire', 'unknown_question', { question: questionId });
      continue;
    }
    if (q.type === 'text') {
      if (typeof value !== 'string' || value.length > MAX_TEXT_ANSWER) fail(at, `must be text of at most ${MAX_TEXT_ANSWER} characters`, 'too_big', { origin: 'string', maximum: MAX_TEXT_ANSWER });
      else answers[questionId] = value;
    } else if (q.type === 'single') {
      const code = choose(q, value, at);
      if (code !== undefined) answers[questionId] = code;
    } else if (!Array.isArray(value) || value.length === 0) {
      fail(at, 'must be a non-empty list of option codes', 'options_needed');
    } else {
      const codes = value.map((v) => choose(q, v, at));
      const distinct = new Set(codes);
      if (distinct.size !== codes.length) fail(at, 'repeats an option code', 'option_repeated');
      else if (codes.every((c) => c !== undefined)) answers[questionId] = codes.flatMap((c) => (c === undefined ? [] : [c]));
    }
  }
  if (Object.keys(input).length === 0) fail('answers', 'answer at least one question', 'answers_needed');
  throwAll(errors);
  return { answers, chosen };
}
