// A form's values when every rule holds. AntD's validateFields rejects when one does not; the form
// already shows why under each field, so a save handler only needs to stop (and the page leaves
// no unhandled rejection behind).
import type { FormInstance } from 'antd';

export async function validValues<Values>(form: FormInstance<Values>): Promise<Values | undefined> {
  try {
    return await form.validateFields();
  } catch (err) {
    if (typeof err === 'object' && err !== null && 'errorFields' in err) return undefined;
    throw err;
  }
}
