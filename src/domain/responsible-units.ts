import type { AssignmentRole } from '../db/schema/index.js';

export interface ResolvedAssignment {
  agencyId: string;
  role: AssignmentRole;
  position: number;
}

export class UnresolvedUnitError extends Error {
  override name = 'UnresolvedUnitError';
  constructor(
    readonly cell: string,
    readonly unit: string,
  ) {
    super(`responsible-units cell "${cell}" names "${unit}", which is no known agency or group`);
  }
}

/**
 * Splits a 责任单位 cell into its units. Units are separated by 、 and a ， comes before groups
 * such as 各区人民政府 (source-documents/README.md); both are plain separators here.
 */
export function splitResponsibleCell(cell: string): string[] {
  return cell
    .split(/[、，,]/)
    .map((unit) => unit.trim())
    .filter((unit) => unit.length > 0);
}

/** The first unit listed leads (牵头单位); the others co-operate (配合单位). */
export function assignUnits(unitNames: readonly string[], agencyIdByName: ReadonlyMap<string, string>, cell: string): ResolvedAssignment[] {
  return unitNames.map((name, index) => {
    const agencyId = agencyIdByName.get(name);
    if (agencyId === undefined) throw new UnresolvedUnitError(cell, name);
    return { agencyId, role: index === 0 ? 'lead' : 'co', position: index + 1 };
  });
}
