import t from 'tap';
import { assignUnits, splitResponsibleCell, UnresolvedUnitError } from '../../src/domain/responsible-units.js';

const names = new Map([
  ['市财政局', 'tj-finance-bureau'],
  ['市教委', 'tj-education-commission'],
  ['市人社局', 'tj-hrss-bureau'],
  ['各区人民政府', 'tj-district-governments'],
]);

t.test('splits on 、 and on the ， before groups, keeping source order', async (t) => {
  t.same(splitResponsibleCell('市财政局、市教委、市人社局，各区人民政府'), ['市财政局', '市教委', '市人社局', '各区人民政府']);
  t.same(splitResponsibleCell('市教委'), ['市教委']);
  t.same(splitResponsibleCell(' 市教委 、 '), ['市教委']);
});

t.test('the first unit leads, the rest co-operate', async (t) => {
  t.same(assignUnits(['市财政局', '市教委', '各区人民政府'], names, 'cell'), [
    { agencyId: 'tj-finance-bureau', role: 'lead', position: 1 },
    { agencyId: 'tj-education-commission', role: 'co', position: 2 },
    { agencyId: 'tj-district-governments', role: 'co', position: 3 },
  ]);
  t.same(assignUnits([], names, 'cell'), []);
});

t.test('a unit that is no agency is refused, not invented', async (t) => {
  t.throws(() => assignUnits(['市教委', '协调推进'], names, '市教委、协调推进'), UnresolvedUnitError);
});
