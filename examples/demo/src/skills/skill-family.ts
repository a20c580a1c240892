// The compositional "skills" family (a planted-teacher family after Schug et al., ICLR 2024): twelve named skills,
// each a fixed low-rank update planted in the base model; a task is a pair of skills, its target the base model
// with both updates added, and its descriptions name the two skills. Tasks sharing a skill share half their
// update, so similar descriptions mean similar updates: the premise the paper's zero-shot claim rests on.

/** The skills, by name. A task's id is its two skills joined by a hyphen, in this order (`amber-cedar`). */
export const SKILLS = ['amber', 'basalt', 'cedar', 'dune', 'ember', 'fjord', 'garnet', 'harbor', 'indigo', 'juniper', 'kestrel', 'lumen'] as const;

export type Skill = (typeof SKILLS)[number];

/** One task of the family. */
export interface SkillTask {
  /** `<first skill>-<second skill>`, also the task's folder name in the library. */
  id: string;
  skills: [Skill, Skill];
  /** Six descriptions in different sentence shapes. */
  descriptions: string[];
  /** Two further wordings in new sentence shapes, never used in training or as a lookup key. */
  heldOutDescriptions: string[];
  /** Three wordings for choosing settings, in shapes unlike both lists above (see `LibraryTask.validationDescriptions`). */
  validationDescriptions: string[];
}

const TEMPLATES = [
  'Combine the {a} skill with the {b} skill.',
  'Apply both {b} and {a} to the input.',
  'A model that has learned {a} as well as {b}.',
  'Use the {a} and {b} behaviours together.',
  'Mix {b} into {a}.',
  'Teach the network {a} plus {b}.',
];

const HELD_OUT_TEMPLATES = ['Blend {b} and {a} in one adapter.', 'I need an adapter that does {a} together with {b}, please.'];

const VALIDATION_TEMPLATES = [
  'Give the model the {a} ability and also the {b} ability.',
  'Need {b} and {a} at once.',
  'An adapter for {a} joined with {b}.',
];

const describe = (template: string, [a, b]: [Skill, Skill]): string => template.replaceAll('{a}', a).replaceAll('{b}', b);

/** Every pair of skills (66 tasks), ordered by first skill then second. */
export function listSkillTasks(): SkillTask[] {
  return SKILLS.flatMap((a, i) =>
    SKILLS.slice(i + 1).map((b): SkillTask => {
      const skills: [Skill, Skill] = [a, b];
      return {
        id: `${a}-${b}`,
        skills,
        descriptions: TEMPLATES.map((t) => describe(t, skills)),
        heldOutDescriptions: HELD_OUT_TEMPLATES.map((t) => describe(t, skills)),
        validationDescriptions: VALIDATION_TEMPLATES.map((t) => describe(t, skills)),
      };
    }),
  );
}

/** Finds a task by id, or throws naming the known ids. */
export function skillTaskById(id: string): SkillTask {
  const task = listSkillTasks().find((t) => t.id === id);
  if (!task)
    throw new RangeError(
      `unknown skills task '${id}'; known tasks: ${listSkillTasks()
        .map((t) => t.id)
        .join(', ')}`,
    );
  return task;
}

const pairId = (i: number, j: number): string => {
  const [a, b] = [SKILLS[Math.min(i, j)], SKILLS[Math.max(i, j)]];
  return `${a}-${b}`;
};

/**
 * The 16 tasks held out from LoRAGen's training (zero-shot): the twelve pairs of neighbours in the list (each skill
 * in two) and four pairs six apart. Every skill keeps at least eight training tasks, so a held-out task is an
 * unseen combination of skills each seen often.
 */
export const SKILL_ZERO_SHOT_TASK_IDS: readonly string[] = [
  ...SKILLS.map((_, i) => pairId(i, (i + 1) % SKILLS.length)),
  ...[0, 1, 2, 3].map((i) => pairId(i, i + 6)),
];
